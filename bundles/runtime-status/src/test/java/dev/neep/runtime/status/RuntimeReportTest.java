package dev.neep.runtime.status;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;
import org.osgi.framework.dto.BundleDTO;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

import dev.neep.runtime.status.RuntimeReport.BundleState;
import dev.neep.runtime.status.RuntimeReport.ComponentState;
import dev.neep.runtime.status.RuntimeReport.Status;

public class RuntimeReportTest {

    private static final String DEVICE = "dev.neep.gpu.device.GpuDeviceComponent";

    @Test
    public void waitingComponentNamesTheMissingServiceAndItsTarget() {
        ComponentDescriptionDTO d = description(DEVICE);
        ReferenceDTO ref = new ReferenceDTO();
        ref.name = "backend";
        ref.interfaceName = "dev.neep.gpu.api.GpuBackendProvider";
        d.references = new ReferenceDTO[] {ref};
        ComponentConfigurationDTO c = configuration(ComponentConfigurationDTO.UNSATISFIED_REFERENCE, DEVICE);
        UnsatisfiedReferenceDTO missing = new UnsatisfiedReferenceDTO();
        missing.name = "backend";
        missing.target = "(neep.backend=virgl)";
        c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[] {missing};

        List<ComponentState> states = RuntimeReport.describe(d, true, List.of(c));

        assertEquals(Status.UNSATISFIED_REFERENCE, states.get(0).status());
        assertEquals(List.of("backend -> dev.neep.gpu.api.GpuBackendProvider (neep.backend=virgl)"),
                states.get(0).waitingFor());
        String problem = report(List.of(), states).problems(Set.of()).get(0);
        assertTrue(problem, problem.contains("GpuBackendProvider (neep.backend=virgl)"));
    }

    @Test
    public void componentThatMayWaitIsReportedButIsNoProblem() {
        ComponentState waiting = component("dev.neep.backend.rutabaga.Provider", Status.UNSATISFIED_REFERENCE);
        RuntimeReport report = report(List.of(), List.of(waiting));

        assertEquals(List.of(), report.problems(Set.of("dev.neep.backend.rutabaga.Provider")));
        assertTrue(report.toString().contains("UNSATISFIED_REFERENCE"));
    }

    @Test
    public void componentDeclaringThatItMayWaitIsReportedWithTheReasonButIsNoProblem() {
        ComponentDescriptionDTO d = description("dev.neep.backend.rutabaga.Provider");
        d.properties = Map.of(RuntimeReport.MAY_WAIT_PROPERTY, "needs librutabaga_gfx_ffi");
        ComponentConfigurationDTO c = configuration(ComponentConfigurationDTO.UNSATISFIED_REFERENCE, d.name);

        RuntimeReport report = report(List.of(), RuntimeReport.describe(d, true, List.of(c)));

        assertEquals(List.of(), report.problems(Set.of()));
        assertTrue(report.toString(), report.toString().contains("(may wait: needs librutabaga_gfx_ffi)"));
    }

    @Test
    public void failedActivationIsAProblemEvenForAComponentThatMayWait() {
        ComponentState failed = new ComponentState("dev.neep.x", "X", Status.FAILED_ACTIVATION, List.of(),
                "java.lang.IllegalStateException: boom\n\tat X.activate", "", null);

        List<String> problems = report(List.of(), List.of(failed)).problems(Set.of("X"));

        assertEquals(List.of("component FAILED_ACTIVATION         X (dev.neep.x): java.lang.IllegalStateException: boom"),
                problems);
    }

    @Test
    public void requiredConfigurationNotYetGivenIsReportedWithItsPidButIsNoProblem() {
        ComponentDescriptionDTO d = description("dev.neep.display.png.PngSink");
        d.configurationPolicy = "require";
        d.configurationPid = new String[] {"dev.neep.display.png"};

        List<ComponentState> states = RuntimeReport.describe(d, true, List.of());

        assertEquals(Status.AWAITING_CONFIGURATION, states.get(0).status());
        assertEquals(List.of("dev.neep.display.png"), states.get(0).waitingFor());
        assertEquals(List.of(), report(List.of(), states).problems(Set.of()));
    }

    @Test
    public void factoryConfigurationsOfOneComponentAreToldApart() {
        ComponentDescriptionDTO d = description("dev.neep.display.png.PngSink");
        d.configurationPid = new String[] {"dev.neep.display.png"};
        ComponentConfigurationDTO a = configuration(ComponentConfigurationDTO.ACTIVE, "dev.neep.display.png~left");
        ComponentConfigurationDTO b = configuration(ComponentConfigurationDTO.ACTIVE, "dev.neep.display.png~right");

        List<ComponentState> states = RuntimeReport.describe(d, true, List.of(a, b));

        assertEquals("dev.neep.display.png~left", states.get(0).instance());
        assertEquals("dev.neep.display.png~right", states.get(1).instance());
    }

    @Test
    public void onlyNeepBundlesThatAreNotActiveAreProblems() {
        RuntimeReport report = report(List.of(
                new BundleState(1, "org.example.other", "1.0.0", "RESOLVED", false),
                new BundleState(2, "dev.neep.virtio", "0.1.0", "RESOLVED", false),
                new BundleState(3, "dev.neep.fragment", "0.1.0", "RESOLVED", true),
                new BundleState(4, "dev.neep.gpu.api", "0.1.0", "ACTIVE", false)), List.of());

        assertEquals(List.of("bundle dev.neep.virtio is RESOLVED"), report.problems(Set.of()));
    }

    @Test
    public void changesListOnlyWhatDifferedAndWhatIsGone() {
        BundleState api = new BundleState(4, "dev.neep.gpu.api", "0.1.0", "ACTIVE", false);
        RuntimeReport before = report(List.of(api), List.of(
                component("A", Status.ACTIVE), component("B", Status.ACTIVE)));
        RuntimeReport after = report(List.of(api), List.of(
                component("A", Status.UNSATISFIED_REFERENCE)));

        List<String> changes = after.changesSince(before);

        assertEquals(2, changes.size());
        assertTrue(changes.get(0), changes.get(0).contains("UNSATISFIED_REFERENCE") && changes.get(0).contains(" A "));
        assertTrue(changes.get(1), changes.get(1).startsWith("gone: ACTIVE") && changes.get(1).contains(" B "));
    }

    @Test
    public void summaryCountsComponentsByStatus() {
        RuntimeReport report = report(List.of(new BundleState(0, "org.apache.felix.framework", "7.0.5", "ACTIVE", false)),
                List.of(component("A", Status.ACTIVE), component("B", Status.ACTIVE),
                        component("C", Status.UNSATISFIED_REFERENCE)));

        assertEquals("1 bundles (1 active), 3 components (2 active, 1 unsatisfied reference)", report.summary());
    }

    private static RuntimeReport report(List<BundleState> bundles, List<ComponentState> components) {
        return new RuntimeReport(bundles, components);
    }

    private static ComponentState component(String name, Status status) {
        return new ComponentState("dev.neep.x", name, status, List.of(), null, "", null);
    }

    private static ComponentDescriptionDTO description(String name) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.name = name;
        d.bundle = new BundleDTO();
        d.bundle.symbolicName = "dev.neep.test";
        d.configurationPid = new String[] {name};
        d.configurationPolicy = "optional";
        d.references = new ReferenceDTO[0];
        d.properties = Map.of();
        return d;
    }

    private static ComponentConfigurationDTO configuration(int state, String pid) {
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.state = state;
        c.properties = Map.of("service.pid", pid);
        c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[0];
        return c;
    }
}
