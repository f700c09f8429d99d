package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.BackendCapabilities;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.protocol.GpuConfig;
import dev.neep.gpu.protocol.GpuEvents;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.virtio.VirtioFeatures;
import org.junit.Test;

/** The configuration space, the feature bits and the display event. */
public class ConfigSpaceTest {

    private static long bit(int b) {
        return 1L << b;
    }

    @Test
    public void configSpaceHoldsNumScanoutsAndNumCapsets() {
        try (Harness h = Harness.start(DeviceConfig.defaults().withMaxOutputs(3), new TestBackend.Provider("t"))) {
            GpuConfig c = h.driver.config();
            assertEquals(3, c.numScanouts());
            assertEquals(2, c.numCapsets());
            assertEquals(0, c.eventsRead());
            assertEquals(0, c.eventsClear());
        }
    }

    @Test
    public void readsOutsideTheConfigSpaceAreZero() {
        GpuDevice d = new GpuDevice(DeviceConfig.defaults());
        try {
            byte[] b = {9, 9, 9, 9};
            d.readConfig(14, b);
            assertEquals(0, b[2]);
            assertEquals(0, b[3]);
            d.readConfig(-8, b);
            assertEquals(0, b[0]);
        } finally {
            d.close();
        }
    }

    @Test
    public void displayChangeRaisesTheEventAndAConfigInterrupt() {
        try (Harness h = Harness.start()) {
            h.device.setDisplayMode(0, 800, 600);
            h.driver.awaitConfigInterrupts(1);
            assertEquals(GpuEvents.EVENT_DISPLAY, h.driver.config().eventsRead());
        }
    }

    @Test
    public void unchangedDisplayModeRaisesNothing() {
        try (Harness h = Harness.start()) {
            h.device.setDisplayMode(0, 1024, 768);
            h.settle();
            assertEquals(0, h.driver.configInterrupts());
            assertEquals(0, h.driver.config().eventsRead());
        }
    }

    @Test
    public void eventsClearClearsTheBitsWritten() {
        try (Harness h = Harness.start()) {
            h.device.setDisplayMode(0, 800, 600);
            h.driver.clearEvents(0);
            assertEquals(GpuEvents.EVENT_DISPLAY, h.driver.config().eventsRead());
            h.driver.clearEvents(GpuEvents.EVENT_DISPLAY);
            assertEquals(0, h.driver.config().eventsRead());
        }
    }

    @Test
    public void writesToReadOnlyFieldsAreIgnored() {
        try (Harness h = Harness.start()) {
            h.device.writeConfig(GpuConfig.OFFSET_NUM_SCANOUTS, new byte[] {7, 0, 0, 0});
            h.device.writeConfig(GpuConfig.OFFSET_EVENTS_READ, new byte[] {1, 0, 0, 0});
            GpuConfig c = h.driver.config();
            assertEquals(1, c.numScanouts());
            assertEquals(0, c.eventsRead());
        }
    }

    @Test
    public void featuresFollowTheBackendsCapabilities() {
        TestBackend.Provider p = new TestBackend.Provider("t");
        p.capabilities = new BackendCapabilities(false, false, false, false);
        GpuDevice d = new GpuDevice(DeviceConfig.defaults());
        try {
            d.useProvider(p);
            long f = d.deviceFeatures();
            assertTrue((f & bit(VirtioFeatures.VIRTIO_F_VERSION_1)) != 0);
            assertTrue((f & bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX)) != 0);
            assertTrue((f & bit(VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC)) != 0);
            assertTrue((f & bit(GpuFeatures.EDID)) != 0);
            assertTrue((f & bit(GpuFeatures.RESOURCE_UUID)) != 0);
            assertFalse((f & bit(GpuFeatures.VIRGL)) != 0);
            assertFalse((f & bit(GpuFeatures.RESOURCE_BLOB)) != 0);
            assertFalse((f & bit(GpuFeatures.CONTEXT_INIT)) != 0);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            d.close();
        }
    }

    @Test
    public void deviceIsAGpuWithTwoQueues() {
        GpuDevice d = new GpuDevice(DeviceConfig.defaults());
        try {
            assertEquals(16, d.deviceId());
            assertEquals(2, d.queueCount());
            assertEquals(16, d.configSize());
            assertTrue(d.maxQueueSize(0) > 0);
            assertEquals(0, d.maxQueueSize(2));
        } finally {
            d.close();
        }
    }
}
