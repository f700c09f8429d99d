package dev.neep.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.OptionUtils.combine;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

import dev.neep.gpu.device.GpuDeviceInfo;
import dev.neep.runtime.status.RuntimeReport.Status;
import dev.neep.testbackend.BackendRecord;
import dev.neep.testkit.GpuDriver;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.driver.GuestAllocator;

/**
 * A backend of a kind the device has never heard of plugs in with no change to gpu-device: the
 * test-backend bundle, installed here beside the runtime's, registers a GpuBackendProvider with
 * {@code neep.backend=recording}; configuration chooses it, by {@code backend} or by the
 * reference target written out, as for any DS reference; the device opens it and what the
 * guest draws reaches it. The backend's own configuration, {@code dev.neep.backend.recording},
 * reaches the backend alone, and a change of it makes the device open the backend again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NewBackendKindIT extends NeepTestSupport {

    private static final String RECORDING_PID = "dev.neep.backend.recording";
    private static final String TARGET = "(neep.backend=" + BackendRecord.KIND + ")";
    private static final long BASE = 0x100000;
    private static final int MEMORY = 8 << 20;

    @Configuration
    @Override
    public Option[] config() {
        return combine(super.config(), resolvedBundle("test-backend"));
    }

    private GpuDeviceInfo awaitBackend(String kind) {
        awaitComponent(DEVICE_COMPONENT, Status.ACTIVE);
        GpuDeviceInfo info = awaitService(GpuDeviceInfo.class, null);
        await("backend " + kind + " open", () -> Optional.of(info.backendKind()).filter(kind::equals));
        return info;
    }

    private GpuDriver startDriver() {
        VirtioDevice device = awaitService(VirtioDevice.class, DEVICE_FILTER);
        return GpuDriver.start(device, GuestMemories.heap(BASE, MEMORY), new GuestAllocator(BASE, MEMORY),
                GpuDriver.Options.defaults());
    }

    @Test
    public void theNewKindIsChosenByBackendAndWhatTheGuestDrawsReachesIt() throws IOException {
        BackendRecord record = awaitService(BackendRecord.class, null);
        int opened = record.opened();
        configure(DEVICE_PID, Map.of("backend", BackendRecord.KIND));
        try {
            awaitConfigured(DEVICE_COMPONENT, Map.of("backend.target", TARGET));
            awaitBackend(BackendRecord.KIND);
            assertEquals(opened + 1, record.opened());

            int before = record.calls().size();
            try (GpuDriver driver = startDriver()) {
                driver.drawPattern(64, 48);
            }
            List<String> calls = record.calls().subList(before, record.calls().size());
            for (String call : List.of("resourceCreate2d", "attachBacking", "transferWrite")) {
                assertTrue(call + " did not reach the backend: " + calls, calls.contains(call));
            }
        } finally {
            configure(DEVICE_PID, Map.of());
            awaitBackend("2d");
        }
    }

    @Test
    public void theReferenceTargetMayBeWrittenDirectly() throws IOException {
        configure(DEVICE_PID, Map.of("backend.target", TARGET));
        try {
            awaitConfigured(DEVICE_COMPONENT, Map.of("backend.target", TARGET));
            awaitBackend(BackendRecord.KIND);
        } finally {
            configure(DEVICE_PID, Map.of());
            awaitBackend("2d");
        }
    }

    @Test
    public void itsOwnConfigurationReachesItAndOpensTheBackendAgain() throws Exception {
        BackendRecord record = awaitService(BackendRecord.class, null);
        configure(DEVICE_PID, Map.of("backend", BackendRecord.KIND));
        try {
            awaitBackend(BackendRecord.KIND);
            long deviceService = deviceServiceId();
            int opened = record.opened();

            configure(RECORDING_PID, Map.of("headless", true));
            await("the recording backend opened again", () -> Optional.of(record.opened())
                    .filter(n -> n == opened + 1));
            awaitBackend(BackendRecord.KIND);
            assertEquals("the device service was registered again", deviceService, deviceServiceId());
        } finally {
            configure(DEVICE_PID, Map.of());
            awaitBackend("2d");
        }
    }

    private long deviceServiceId() throws Exception {
        ServiceReference<VirtioDevice> ref = context.getServiceReferences(VirtioDevice.class, DEVICE_FILTER)
                .iterator().next();
        return (Long) ref.getProperty("service.id");
    }
}
