package dev.neep.runtime.status.internal;

import static org.junit.Assert.assertEquals;

import dev.neep.runtime.status.RuntimeReport;
import dev.neep.runtime.status.RuntimeReport.ComponentState;
import dev.neep.runtime.status.RuntimeReport.Status;
import java.util.List;
import org.junit.Test;

/** Which of a report's states are refused configurations, and the refusal each carries. */
public class StatusReporterTest {

    private static RuntimeReport report(ComponentState... components) {
        return new RuntimeReport(List.of(), List.of(components));
    }

    @Test
    public void aComponentThatFailedOnARefusedValueIsARefusal() {
        ComponentState png = new ComponentState("dev.neep.display-png", "Png", Status.FAILED_ACTIVATION, List.of(),
                "dev.neep.config.support.ConfigurationRefused: dev.neep.display.png: keep=-3: must be 0 or more"
                        + " snapshots\n\tat somewhere", "", null);
        assertEquals(List.of("dev.neep.display.png: keep=-3: must be 0 or more snapshots"),
                StatusReporter.refusals(report(png)));
    }

    @Test
    public void aComponentHeldOnTheRefusalTargetIsARefusalWithItsEscapesUndone() {
        ComponentState gpu = new ComponentState("dev.neep.gpu-device", "Gpu", Status.UNSATISFIED_REFERENCE,
                List.of("backend -> dev.neep.gpu.api.GpuBackendProvider"
                        + " (neep.configuration.refused=dev.neep.gpu: backend=\\(x\\*: is not a backend kind)"),
                null, "", null);
        assertEquals(List.of("dev.neep.gpu: backend=(x*: is not a backend kind"), StatusReporter.refusals(report(gpu)));
    }

    @Test
    public void otherFailuresAndWaitsAreNotRefusals() {
        ComponentState failed = new ComponentState("b", "F", Status.FAILED_ACTIVATION, List.of(),
                "java.lang.IllegalStateException: no library", "", null);
        ComponentState waiting = new ComponentState("b", "W", Status.UNSATISFIED_REFERENCE,
                List.of("backend -> dev.neep.gpu.api.GpuBackendProvider (neep.backend=rutabaga)"), null, "", null);
        ComponentState up = new ComponentState("b", "U", Status.ACTIVE, List.of(), null, "", null);
        assertEquals(List.of(), StatusReporter.refusals(report(failed, waiting, up)));
    }
}
