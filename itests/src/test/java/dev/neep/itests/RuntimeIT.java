package dev.neep.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.slf4j.LoggerFactory;

import dev.neep.runtime.status.RuntimeReport;
import dev.neep.runtime.status.RuntimeReport.BundleState;
import dev.neep.runtime.status.RuntimeReport.ComponentState;
import dev.neep.runtime.status.RuntimeReport.Status;

/** The whole runtime comes up: every neep bundle active, every component where it should be. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RuntimeIT extends NeepTestSupport {

    private static final String STATUS_PID = "dev.neep.runtime.status";
    private static final String STATUS_COMPONENT = "dev.neep.runtime.status.internal.StatusReporter";

    @Test
    public void everyBuiltNeepBundleIsInstalledAndActive() {
        Set<String> built = Arrays.stream(System.getProperty("neep.bundles").split(File.pathSeparator))
                .map(RuntimeIT::symbolicName).collect(Collectors.toSet());

        RuntimeReport report = awaitNoProblems();

        Set<String> running = report.bundles().stream().map(BundleState::symbolicName)
                .filter(n -> n.startsWith(RuntimeReport.NEEP_PREFIX)).collect(Collectors.toSet());
        assertEquals(report.toString(), built, running);
        assertTrue(report.toString(), report.bundles().stream()
                .filter(b -> built.contains(b.symbolicName())).allMatch(BundleState::healthy));
    }

    @Test
    public void runtimeJarCarriesEveryNeepBundle() throws IOException {
        // neep.bndrun takes every neep bundle by a wildcard requirement, which silently leaves
        // out one that does not resolve: here that shows.
        Set<String> expected = fileNames("neep.bundles");
        expected.removeAll(fileNames("neep.test.bundles"));
        Properties launcher = new Properties();
        try (JarFile jar = new JarFile(System.getProperty("neep.runtime.jar"))) {
            launcher.load(jar.getInputStream(jar.getEntry("launcher.properties")));
        }
        Set<String> carried = Arrays.stream(launcher.getProperty("launch.bundles").split(","))
                .map(p -> p.substring(p.lastIndexOf('/') + 1)).filter(n -> n.startsWith("neep-"))
                .collect(Collectors.toSet());

        assertEquals(expected, carried);
    }

    @Test
    public void logsReachSlf4jSimpleNotTheNoOpLogger() {
        // Whatever logs before the provider is mediated locks SLF4J to its no-op logger.
        assertEquals("org.slf4j.simple.SimpleLoggerFactory", LoggerFactory.getILoggerFactory().getClass().getName());
    }

    @Test
    public void noComponentFailsOrWaitsUnlessItMay() {
        RuntimeReport report = awaitNoProblems();

        long described = scr.getComponentDescriptionDTOs().size();
        assertTrue("every component description is reported:\n" + report,
                report.components().stream().map(ComponentState::name).distinct().count() == described);
    }

    @Test
    public void waitingComponentNamesTheServiceItWaitsFor() throws Exception {
        awaitComponent(STATUS_COMPONENT, Status.ACTIVE);
        // A target filter no service matches, set the way an operator would: through ConfigAdmin.
        org.osgi.service.cm.Configuration config = configure(STATUS_PID, Map.of("scr.target", "(neep.itest=absent)"));
        try {
            // While SCR reconfigures, the component can pass through UNSATISFIED_REFERENCE before
            // its reference carries the new target: wait for the state that names it.
            ComponentState waiting = await("component " + STATUS_COMPONENT + " waiting with the new target",
                    () -> report().component(STATUS_COMPONENT).stream()
                            .filter(c -> c.status() == Status.UNSATISFIED_REFERENCE && !c.waitingFor().isEmpty())
                            .findFirst());

            assertEquals(List.of("scr -> org.osgi.service.component.runtime.ServiceComponentRuntime (neep.itest=absent)"),
                    waiting.waitingFor());
            List<String> problems = report().problems(Set.of());
            assertTrue(problems.toString(), problems.stream().anyMatch(p -> p.contains(
                    "waiting for scr -> org.osgi.service.component.runtime.ServiceComponentRuntime (neep.itest=absent)")));
            assertEquals(List.of(), report().problems(Set.of(STATUS_COMPONENT)));
        } finally {
            config.delete();
        }
        awaitComponent(STATUS_COMPONENT, Status.ACTIVE);
    }

    @Test
    public void configurationReachesTheComponent() throws Exception {
        org.osgi.service.cm.Configuration config = configure(STATUS_PID, Map.of("settle_ms", 50L));
        try {
            awaitConfigured(STATUS_COMPONENT, Map.of("settle_ms", 50L));
        } finally {
            config.delete();
        }
        awaitConfigured(STATUS_COMPONENT, Map.of("settle_ms", 300L));
    }

    private static Set<String> fileNames(String pathsProperty) {
        String paths = System.getProperty(pathsProperty, "");
        return Arrays.stream(paths.split(File.pathSeparator)).filter(p -> !p.isEmpty())
                .map(p -> new File(p).getName()).collect(Collectors.toCollection(HashSet::new));
    }

    /** A bundle file's symbolic name, without its attributes. */
    private static String symbolicName(String path) {
        try (JarFile jar = new JarFile(path)) {
            return jar.getManifest().getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }
}
