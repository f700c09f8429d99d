package dev.neep.virtio;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.neep.virtio.driver.DriverQueue;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;
import org.slf4j.LoggerFactory;

/**
 * The device status, feature negotiation, queue activation and reset rules of virtio 1.2
 * §2.1, §2.2, §2.4 and §3.1.1 as the transport core keeps them, each test named after the
 * rule it checks.
 */
public class VirtioTransportCoreTest {

    private static final int DEVICE_BIT = 3;
    private static final long VERSION_1 = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1);
    private static final long EVENT_IDX = VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX);
    private static final long PACKED = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_RING_PACKED);
    private static final int MAX_QUEUE = 64;
    private static final int ACK_DRIVER = DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER;

    /** Records what the core asks of the device; fails activation when told to. */
    private static final class Device implements VirtioDevice {
        final List<String> calls = new ArrayList<>();
        long activatedFeatures = -1;
        List<Virtqueue> queues;
        Interrupts interrupts;
        boolean failActivation;

        @Override
        public int deviceId() {
            return 42;
        }

        @Override
        public long deviceFeatures() {
            return VirtioFeatures.bit(DEVICE_BIT) | VERSION_1 | EVENT_IDX | PACKED;
        }

        @Override
        public int queueCount() {
            return 2;
        }

        @Override
        public int maxQueueSize(int queueIndex) {
            return MAX_QUEUE;
        }

        @Override
        public int configSize() {
            return 0;
        }

        @Override
        public void readConfig(int offset, byte[] dst) {
        }

        @Override
        public void writeConfig(int offset, byte[] src) {
        }

        @Override
        public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues, Interrupts interrupts) {
            calls.add("activate");
            if (failActivation) {
                throw new IllegalStateException("refused by the test");
            }
            this.activatedFeatures = driverFeatures;
            this.queues = queues;
            this.interrupts = interrupts;
        }

        @Override
        public void queueNotify(int queueIndex) {
            calls.add("notify " + queueIndex);
        }

        @Override
        public void reset() {
            calls.add("reset");
        }
    }

    /** Records the core's calls into the transport, in order with the device's. */
    private final class Transport implements VirtioTransportCore.Transport {
        final Interrupts interrupts = new Interrupts() {
            @Override
            public void signalQueue(int queueIndex) {
            }

            @Override
            public void signalConfigChange() {
            }
        };
        final List<String> reasons = new ArrayList<>();

        @Override
        public Interrupts interrupts() {
            return interrupts;
        }

        @Override
        public void resetting() {
            device.calls.add("transport resetting");
        }

        @Override
        public void needsReset(String reason) {
            reasons.add(reason);
        }
    }

    private final RegionGuestMemory memory = GuestMemories.heap(0, 1 << 20);
    private final Device device = new Device();
    private final Transport transport = new Transport();
    private final VirtioTransportCore core = new VirtioTransportCore(device, memory, ~PACKED, VERSION_1, transport,
            new OnceLog(LoggerFactory.getLogger(VirtioTransportCoreTest.class), "test"));

    /** Lays out queue {@code index} in guest memory and writes its configuration as a driver does. */
    private DriverQueue configure(int index, int size) {
        DriverQueue rings = DriverQueue.contiguous(memory, size, 0x1000L + index * 0x4000L, false);
        VirtioTransportCore.QueueConfig q = core.queue(index);
        q.setSize(size);
        q.setDesc(rings.descTable());
        q.setDriver(rings.availRing());
        q.setDevice(rings.usedRing());
        q.setEnabled(true);
        return rings;
    }

    private void negotiate(long features) {
        core.writeStatus(ACK_DRIVER);
        core.setDriverFeatures(features);
        core.writeStatus(ACK_DRIVER | DeviceStatus.FEATURES_OK);
    }

    private void start() {
        negotiate(VERSION_1 | VirtioFeatures.bit(DEVICE_BIT));
        configure(0, 16);
        configure(1, 16);
        core.writeStatus(ACK_DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        assertTrue(core.active());
    }

    private boolean needsReset() {
        return (core.status() & DeviceStatus.DEVICE_NEEDS_RESET) != 0;
    }

    // ---- §2.2 features ----

    @Test
    public void offerIsTheDeviceBitsTheTransportCarriesPlusTheRequiredOnes() {
        assertEquals(VirtioFeatures.bit(DEVICE_BIT) | VERSION_1 | EVENT_IDX, core.offeredFeatures());
    }

    @Test
    public void featuresOkIsSetForASubsetOfTheOffer() {
        negotiate(VERSION_1 | EVENT_IDX);
        assertEquals(ACK_DRIVER | DeviceStatus.FEATURES_OK, core.status());
    }

    @Test
    public void featuresOkStaysClearForAFeatureNotOffered() {
        negotiate(VERSION_1 | PACKED);
        assertEquals("the driver reads FEATURES_OK back and finds it clear", ACK_DRIVER, core.status());
    }

    @Test
    public void featuresOkStaysClearWithoutARequiredFeature() {
        negotiate(VirtioFeatures.bit(DEVICE_BIT));
        assertEquals(ACK_DRIVER, core.status());
    }

    @Test
    public void driverFeaturesCannotChangeAfterFeaturesOk() {
        negotiate(VERSION_1);
        core.setDriverFeatures(VERSION_1 | EVENT_IDX);
        assertEquals(VERSION_1, core.driverFeatures());
    }

    // ---- §2.1 status ----

    @Test
    public void statusBitsCannotBeClearedWithoutAReset() {
        negotiate(VERSION_1);
        core.writeStatus(DeviceStatus.ACKNOWLEDGE);
        assertEquals(ACK_DRIVER | DeviceStatus.FEATURES_OK, core.status());
    }

    @Test
    public void failedIsTakenAsWritten() {
        core.writeStatus(DeviceStatus.ACKNOWLEDGE | DeviceStatus.FAILED);
        assertEquals(DeviceStatus.ACKNOWLEDGE | DeviceStatus.FAILED, core.status());
        assertFalse(core.active());
    }

    @Test
    public void driverOkActivatesTheDeviceWithItsQueuesAtTheWrittenAddresses() {
        negotiate(VERSION_1 | EVENT_IDX | VirtioFeatures.bit(DEVICE_BIT));
        DriverQueue q0 = configure(0, 16);
        DriverQueue q1 = configure(1, 32);
        core.writeStatus(ACK_DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);

        assertTrue(core.active());
        assertEquals(VERSION_1 | EVENT_IDX | VirtioFeatures.bit(DEVICE_BIT), device.activatedFeatures);
        assertSame(transport.interrupts, device.interrupts);
        assertEquals(2, device.queues.size());
        assertEquals(16, device.queues.get(0).size());
        assertEquals(q0.descTable(), device.queues.get(0).descTable());
        assertEquals(q1.availRing(), device.queues.get(1).availRing());
        assertEquals(q1.usedRing(), device.queues.get(1).usedRing());
    }

    @Test
    public void queuesLeftDisabledAfterTheEnabledOnesAreNotGivenToTheDevice() {
        negotiate(VERSION_1);
        configure(0, 16);
        core.writeStatus(ACK_DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        assertTrue(core.active());
        assertEquals(1, device.queues.size());
    }

    @Test
    public void driverOkWithoutFeaturesOkSetsNeedsReset() {
        core.writeStatus(ACK_DRIVER | DeviceStatus.DRIVER_OK);
        assertTrue(needsReset());
        assertFalse(core.active());
        assertEquals(1, transport.reasons.size());
        assertEquals(List.of(), device.calls);
    }

    @Test
    public void enabledQueueAfterADisabledOneSetsNeedsReset() {
        negotiate(VERSION_1);
        configure(1, 16);
        core.writeStatus(ACK_DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        assertTrue(needsReset());
        assertFalse(core.active());
    }

    @Test
    public void queueSizeAboveTheDeviceMaximumSetsNeedsReset() {
        negotiate(VERSION_1);
        configure(0, 16);
        core.queue(0).setSize(MAX_QUEUE * 2);
        core.writeStatus(ACK_DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        assertTrue(needsReset());
        assertTrue(transport.reasons.get(0), transport.reasons.get(0).contains("size=128"));
    }

    @Test
    public void ringOutsideGuestMemorySetsNeedsReset() {
        negotiate(VERSION_1);
        configure(0, 16);
        core.queue(0).setDevice(2L << 20);
        core.writeStatus(ACK_DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        assertTrue(needsReset());
        assertEquals(List.of(), device.calls);
    }

    @Test
    public void deviceThatFailsToActivateSetsNeedsReset() {
        device.failActivation = true;
        negotiate(VERSION_1);
        configure(0, 16);
        core.writeStatus(ACK_DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        assertTrue(needsReset());
        assertFalse(core.active());
        assertTrue(transport.reasons.get(0), transport.reasons.get(0).contains("refused by the test"));
    }

    @Test
    public void notifyBeforeDriverOkIsIgnored() {
        core.queueNotify(0);
        assertEquals(List.of(), device.calls);
    }

    @Test
    public void notifyReachesTheActiveDevice() {
        start();
        core.queueNotify(1);
        assertEquals(List.of("activate", "notify 1"), device.calls);
    }

    // ---- §2.4 reset ----

    @Test
    public void writingZeroResetsTheDeviceAndEverythingTheDriverSet() {
        start();
        core.writeStatus(0);

        assertFalse(core.active());
        assertEquals(0, core.status());
        assertEquals(0, core.driverFeatures());
        VirtioTransportCore.QueueConfig q = core.queue(0);
        assertEquals("back to the device's maximum", MAX_QUEUE, q.size());
        assertFalse(q.enabled());
        assertEquals(0, q.desc());
        assertEquals(0, q.driver());
        assertEquals(0, q.device());
        assertEquals("the transport silences the old activation before the device resets",
                List.of("activate", "transport resetting", "reset"), device.calls);
    }

    @Test
    public void resetClearsNeedsReset() {
        core.writeStatus(ACK_DRIVER | DeviceStatus.DRIVER_OK);
        assertTrue(needsReset());
        core.writeStatus(0);
        assertEquals(0, core.status());
    }

    @Test
    public void stopKeepsTheDriversSettingsAndWhereEachQueueStopped() {
        start();
        device.queues.get(0).setNextAvailIndex(5);
        core.stop();

        assertFalse(core.active());
        assertEquals(0, core.status());
        assertEquals(List.of("activate", "transport resetting", "reset"), device.calls);
        assertEquals(VERSION_1 | VirtioFeatures.bit(DEVICE_BIT), core.driverFeatures());
        assertEquals(5, core.queue(0).nextAvailIndex());
        assertTrue(core.queue(0).enabled());

        core.writeStatus(ACK_DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        assertTrue(core.active());
        assertEquals("resumed where it stopped", 5, device.queues.get(0).nextAvailIndex());
    }

    @Test
    public void stopOfAnInactiveDeviceDoesNothing() {
        negotiate(VERSION_1);
        core.stop();
        assertEquals(ACK_DRIVER | DeviceStatus.FEATURES_OK, core.status());
        assertEquals(List.of(), device.calls);
    }

    @Test
    public void queueBeyondTheDeviceHasNoConfiguration() {
        assertNull(core.queue(2));
        assertNull(core.queue(-1));
    }
}
