package dev.neep.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.imageio.ImageIO;
import javax.inject.Inject;

import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import dev.neep.paxexam.NeepOptions;
import dev.neep.runtime.status.RuntimeReport;
import dev.neep.runtime.status.RuntimeReport.ComponentState;
import dev.neep.runtime.status.RuntimeReport.Status;
import dev.neep.testkit.TestPattern;

/**
 * What every neep integration test shares: a Felix with SCR, ConfigAdmin, metatype, JNA
 * and SLF4J as the runtime has them ({@link NeepOptions#framework()}, the helper published for
 * integrators), every neep bundle fresh from the reactor, and bounded
 * waits that report the whole runtime's state when they give up.
 *
 * <p>Extend it, annotate the class with {@code @RunWith(PaxExam.class)} and
 * {@code @ExamReactorStrategy(PerClass.class)}; to add options, override {@link #config()}
 * and combine with {@code super.config()}.
 */
public abstract class NeepTestSupport {

    /** The virtio-gpu device's configuration PID, its DS component, and its VirtioDevice service. */
    protected static final String DEVICE_PID = "dev.neep.gpu";
    protected static final String DEVICE_COMPONENT = "dev.neep.gpu.device.internal.osgi.GpuDeviceComponent";
    protected static final String DEVICE_FILTER = "(virtio.device.id=16)";

    /** How long any wait lasts before it fails; {@code -Dneep.itest.timeout.ms} changes it. */
    protected static final long TIMEOUT_MS = Long.getLong("neep.itest.timeout.ms", 10_000);

    private static final long POLL_MS = 20;

    @Inject
    protected BundleContext context;

    @Inject
    protected ServiceComponentRuntime scr;

    @Inject
    protected ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() {
        // The framework services and logging as an integrator gets them (neep-paxexam), with
        // neep's own bundles from this build's reactor instead of a Maven repository.
        return options(NeepOptions.framework(), NeepOptions.httpWhiteboard(), neepBundles(), junitBundles());
    }

    /** A bundle from the file the build resolved for it (neep.bundle.NAME, see itests/pom.xml). */
    protected static UrlProvisionOption resolvedBundle(String name) {
        String path = System.getProperty("neep.bundle." + name);
        if (path == null || path.isEmpty() || path.startsWith("$")) {
            throw new IllegalStateException("system property neep.bundle." + name
                    + " is not set: run the integration tests through Maven (mvn verify)");
        }
        return bundle(new File(path).toURI().toString());
    }

    /** Every neep bundle the runtime runs (and the test-only ones), freshly built by the reactor. */
    protected static Option neepBundles() {
        String paths = System.getProperty("neep.bundles", "");
        if (paths.isEmpty() || paths.startsWith("$")) {
            throw new IllegalStateException("system property neep.bundles is not set:"
                    + " run the integration tests through Maven (mvn verify)");
        }
        List<Option> bundles = new ArrayList<>();
        for (String path : paths.split(File.pathSeparator)) {
            bundles.add(bundle(new File(path).toURI().toString()));
        }
        return composite(bundles.toArray(new Option[0]));
    }

    /**
     * Names of components that may legitimately wait in this test, in addition to those
     * that declare {@link RuntimeReport#MAY_WAIT_PROPERTY}. Override to add some.
     */
    protected Set<String> mayWait() {
        return Set.of();
    }

    /** The state of every bundle and component now. */
    protected RuntimeReport report() {
        return RuntimeReport.capture(context, scr);
    }

    /**
     * Waits until the runtime has no problem ({@link RuntimeReport#problems}: a neep bundle
     * not active, a component failed or waiting unexpectedly); fails listing the problems
     * still there, then the whole runtime.
     */
    protected RuntimeReport awaitNoProblems() {
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000;
        while (true) {
            RuntimeReport report = report();
            List<String> problems = report.problems(mayWait());
            if (problems.isEmpty()) {
                return report;
            }
            if (System.nanoTime() - deadline > 0) {
                fail(problems.size() + " problem(s) after " + TIMEOUT_MS + " ms:\n  "
                        + String.join("\n  ", problems) + "\nthe runtime now:\n" + report);
            }
            pause("no problems");
        }
    }

    /** Waits until a configuration of component {@code name} is in {@code status}. */
    protected ComponentState awaitComponent(String name, Status status) {
        return await("component " + name + " " + status,
                () -> report().component(name).stream().filter(c -> c.status() == status).findFirst());
    }

    /** Waits for a service of {@code type} matching the LDAP {@code filter} (null for any) and gets it. */
    protected <T> T awaitService(Class<T> type, String filter) {
        return await("service " + type.getName() + (filter == null ? "" : " " + filter), () -> {
            try {
                Collection<ServiceReference<T>> refs = context.getServiceReferences(type, filter);
                return refs.stream().sorted((a, b) -> b.compareTo(a)).map(context::getService)
                        .filter(Objects::nonNull).findFirst();
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException("bad filter " + filter, e);
            }
        });
    }

    /** Sets the configuration {@code pid} for whichever bundle uses it. */
    protected org.osgi.service.cm.Configuration configure(String pid, Map<String, ?> properties) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(pid, "?");
        c.update(dictionary(properties));
        return c;
    }

    /** Creates or updates the factory configuration {@code factoryPid~name}. */
    protected org.osgi.service.cm.Configuration configureFactory(String factoryPid, String name,
                                                                 Map<String, ?> properties) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration(factoryPid, name, "?");
        c.update(dictionary(properties));
        return c;
    }

    /**
     * Waits until component {@code name} is satisfied or active with every one of
     * {@code properties} (configuration updates reach SCR asynchronously), and returns
     * that configuration of it.
     */
    protected ComponentConfigurationDTO awaitConfigured(String name, Map<String, ?> properties) {
        return await("component " + name + " satisfied with " + properties, () -> {
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                if (!d.name.equals(name)) {
                    continue;
                }
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    boolean up = c.state == ComponentConfigurationDTO.ACTIVE
                            || c.state == ComponentConfigurationDTO.SATISFIED;
                    if (up && properties.entrySet().stream()
                            .allMatch(e -> sameValue(e.getValue(), c.properties.get(e.getKey())))) {
                        return Optional.of(c);
                    }
                }
            }
            return Optional.empty();
        });
    }

    /**
     * Polls {@code probe} until it yields a value, for at most {@link #TIMEOUT_MS}; then
     * fails, saying what was awaited and what the runtime looked like.
     */
    protected <T> T await(String what, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000;
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() - deadline > 0) {
                fail("no " + what + " within " + TIMEOUT_MS + " ms; the runtime now:\n" + report());
            }
            pause(what);
        }
    }

    private static void pause(String awaited) {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + awaited, e);
        }
    }

    /** A new directory the PNG sink writes every update to, once the sink is configured so. */
    protected Path pngSinkInFreshDirectory(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        configure("dev.neep.display.png", Map.of("directory", dir.toString(), "min_interval_ms", 0L));
        awaitConfigured("dev.neep.display.png.internal.PngDisplayComponent", Map.of("directory", dir.toString()));
        return dir;
    }

    /** Deletes {@code dir} and everything in it. */
    protected static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Waits until the PNG file {@code png} is the {@code w} x {@code h} test pattern, pixel for pixel. */
    protected void awaitPatternPng(Path png, int w, int h) {
        String mismatch = await(png.getFileName() + " showing the " + w + "x" + h + " test pattern", () -> {
            Optional<String> difference = comparePatternPng(png, w, h);
            return difference.isPresent() && difference.get().isEmpty() ? Optional.of("") : Optional.empty();
        });
        assertEquals("", mismatch);
    }

    /** Empty while the file does not exist or does not read yet; else "" for a match or the difference. */
    protected static Optional<String> comparePatternPng(Path png, int w, int h) {
        if (!Files.isRegularFile(png)) {
            return Optional.empty();
        }
        BufferedImage image;
        try {
            image = ImageIO.read(png.toFile());
        } catch (IOException e) {
            return Optional.empty(); // being replaced right now
        }
        if (image == null) {
            return Optional.empty();
        }
        if (image.getWidth() != w || image.getHeight() != h) {
            return Optional.of(image.getWidth() + "x" + image.getHeight());
        }
        return Optional.of(TestPattern.compare(image.getRGB(0, 0, w, h, null, 0, w), w, w, h).orElse(""));
    }

    /** Asserts that {@code text} contains each of {@code parts}, showing the text when not. */
    protected static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue("expected \"" + part + "\" in:\n" + text, text.contains(part));
        }
    }

    private static Dictionary<String, Object> dictionary(Map<String, ?> properties) {
        return new Hashtable<>(properties);
    }

    private static boolean sameValue(Object expected, Object actual) {
        if (expected != null && actual != null && expected.getClass().isArray() && actual.getClass().isArray()) {
            return arrayToList(expected).equals(arrayToList(actual));
        }
        return Objects.equals(expected, actual);
    }

    private static List<Object> arrayToList(Object array) {
        return IntStream.range(0, Array.getLength(array))
                .mapToObj(i -> Array.get(array, i)).collect(Collectors.toList());
    }
}
