package dev.neep.gpu.device;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;

import dev.neep.backend2d.Backend2d;
import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.protocol.CtrlType;
import org.junit.Test;

/** The device as an embedder without OSGi makes it: through the exported factory only. */
public class VirtioGpuTest {

    private static final String DEVICE_THREAD = "neep-gpu-device";

    @Test
    public void madeWithAProviderItsBackendIsOpen() throws Exception {
        try (VirtioGpu gpu = VirtioGpu.create(DeviceConfig.defaults(), Backend2d.provider())) {
            assertEquals(16, gpu.deviceId());
            assertEquals(Backend2d.KIND, gpu.backendKind());
            assertEquals(DeviceConfig.defaults(), gpu.config());
        }
    }

    @Test
    public void madeWithoutAProviderItHasNoBackendUntilGivenOne() throws Exception {
        try (VirtioGpu gpu = VirtioGpu.create(DeviceConfig.defaults())) {
            assertEquals("", gpu.backendKind());
            gpu.useProvider(Backend2d.provider());
            assertEquals(Backend2d.KIND, gpu.backendKind());
        }
    }

    @Test
    public void aBackendThatCannotOpenFailsTheFactoryAndLeavesNoDeviceRunning() throws Exception {
        GpuBackendException refused = new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, "library missing");
        GpuBackendProvider broken = new GpuBackendProvider() {
            @Override
            public String kind() {
                return "broken";
            }

            @Override
            public GpuBackend open(FenceListener fences) throws GpuBackendException {
                throw refused;
            }
        };
        long before = deviceThreads();

        GpuBackendException thrown = assertThrows(GpuBackendException.class,
                () -> VirtioGpu.create(DeviceConfig.defaults(), broken));

        assertSame(refused, thrown);
        // The device was closed: its command thread ends (bounded wait, it may take a moment to exit).
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (deviceThreads() > before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals("device threads still alive", before, deviceThreads());
    }

    private static long deviceThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals(DEVICE_THREAD)).count();
    }
}
