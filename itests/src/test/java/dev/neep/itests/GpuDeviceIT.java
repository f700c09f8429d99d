package dev.neep.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;


import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import dev.neep.gpu.device.GpuDeviceInfo;
import dev.neep.runtime.status.RuntimeReport.ComponentState;
import dev.neep.runtime.status.RuntimeReport.Status;
import dev.neep.testkit.GpuDriver;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.driver.GuestAllocator;

/**
 * The virtio-gpu device in Felix, as DS wires it: the 2D backend chosen by configuration, the
 * PNG sink bound dynamically, the testkit in the role of the guest driver.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GpuDeviceIT extends NeepTestSupport {

    private static final String PNG_BUNDLE = "dev.neep.display-png";
    private static final int W = 320;
    private static final int H = 200;
    private static final long BASE = 0x100000;
    private static final int MEMORY = 8 << 20;

    private Path pngDirectory;

    /*
     * Configurations are updated, never deleted and created again: SCR 2.2 may handle the
     * deletion event after the new configuration exists and then take the new one's change
     * count (1 again) for an old update, keeping the component on the deleted values.
     */

    @Before
    public void pngSinkWritesToAFreshDirectory() throws IOException {
        pngDirectory = pngSinkInFreshDirectory("neep-gpu-it");
    }

    @After
    public void removeTheDirectory() throws IOException {
        deleteTree(pngDirectory);
    }

    private GpuDriver startDriver() {
        VirtioDevice device = awaitService(VirtioDevice.class, DEVICE_FILTER);
        RegionGuestMemory memory = GuestMemories.heap(BASE, MEMORY);
        return GpuDriver.start(device, memory, new GuestAllocator(BASE, MEMORY), GpuDriver.Options.defaults());
    }

    /** Waits until the PNG sink's newest snapshot of scanout 0 is the test pattern, pixel for pixel. */
    private void awaitPatternPng() {
        awaitPatternPng(pngDirectory.resolve("scanout-0.png"), W, H);
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** Back to the defaults by an update (see above): no property set but the PID. */
    private void defaultDeviceConfiguration() throws IOException {
        configure(DEVICE_PID, Map.of());
        awaitConfigured(DEVICE_COMPONENT, Map.of("xres", 1024, "max_outputs", 1));
        awaitComponent(DEVICE_COMPONENT, Status.ACTIVE);
    }

    @Test
    public void backendIsChosenByTheBackendProperty() throws IOException {
        configure(DEVICE_PID, Map.of("backend", "2d", "xres", 800));
        try {
            awaitConfigured(DEVICE_COMPONENT, Map.of("backend.target", "(neep.backend=2d)", "xres", 800));
            GpuDeviceInfo info = awaitService(GpuDeviceInfo.class, null);
            assertEquals("2d", await("an open backend", () -> Optional.of(info.backendKind()).filter(k -> !k.isEmpty())));
        } finally {
            defaultDeviceConfiguration();
        }
    }

    @Test
    public void badConfigurationIsRefusedNamingPropertyAndValue() throws IOException {
        configure(DEVICE_PID, Map.of("max_outputs", 17));
        try {
            // refused before activation: the device waits, the reason in its backend target
            // (SCR passes through UNSATISFIED_REFERENCE with no reason yet while it rebinds)
            ComponentState waiting = await("the device waiting, naming max_outputs=17", () -> report()
                    .component(DEVICE_COMPONENT).stream()
                    .filter(c -> c.status() == Status.UNSATISFIED_REFERENCE && !c.waitingFor().isEmpty())
                    .findFirst());
            assertTrue(waiting.toString(), String.join(" ", waiting.waitingFor()).contains("max_outputs=17"));
        } finally {
            defaultDeviceConfiguration();
        }
    }

    @Test
    public void drawnPatternIsWrittenByThePngSinkPixelForPixel() {
        awaitComponent(DEVICE_COMPONENT, Status.ACTIVE);
        try (GpuDriver driver = startDriver()) {
            driver.drawPattern(W, H);
            awaitPatternPng();
        }
    }

    @Test
    public void restartedPngSinkRebindsWithoutResetAndHoldsTheCurrentFrame() throws Exception {
        awaitComponent(DEVICE_COMPONENT, Status.ACTIVE);
        GpuDeviceInfo info = awaitService(GpuDeviceInfo.class, null);
        try (GpuDriver driver = startDriver()) {
            driver.drawPattern(W, H);
            awaitPatternPng();
            int sinks = info.sinkCount();
            int resources = info.resourceCount();
            long hostmem = info.hostMemoryUsed();

            Bundle png = bundle(PNG_BUNDLE);
            png.stop();
            await("the PNG sink unbound", () -> Optional.of(info.sinkCount()).filter(n -> n == sinks - 1));
            assertTrue("the device was reset", info.active());
            assertEquals(resources, info.resourceCount());
            assertEquals(hostmem, info.hostMemoryUsed());

            Files.delete(pngDirectory.resolve("scanout-0.png"));
            png.start();
            await("the PNG sink bound again", () -> Optional.of(info.sinkCount()).filter(n -> n == sinks));
            // No guest command since: the rebound sink got the current frame from the device itself.
            awaitPatternPng();
            assertTrue("the device was reset", info.active());
            assertEquals(resources, info.resourceCount());
        }
    }
}
