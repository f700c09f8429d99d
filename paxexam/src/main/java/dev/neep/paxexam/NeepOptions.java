package dev.neep.paxexam;

import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.MavenArtifactProvisionOption;

/**
 * Pax Exam options that run neep in a native Felix the way neep's own runtime runs it, with
 * the versions it was built and tested with (filled in when this library was built). A test
 * class needs one method:
 *
 * <pre>{@code
 * @Configuration
 * public Option[] config() {
 *     return NeepOptions.embedded("display-headless");
 * }
 * }</pre>
 *
 * <p>A display sink bundle's component runs once its configuration exists, as in neep's own
 * runtime (the headless sink's is {@code dev.neep.display.headless}, which may be empty): give
 * it with Pax Exam's ConfigAdmin options, or register a {@code DisplaySink} of the test's own.
 *
 * <p>{@link #framework()} is what neep needs of the framework: Felix SCR, ConfigAdmin and
 * Metatype, the OSGi utility bundles SCR needs, JNA (the native backends and vhost-user), and
 * SLF4J 2. SLF4J 2 finds its provider through {@link java.util.ServiceLoader}, which inside
 * OSGi needs a mediator: Apache Aries SPI Fly, which needs ASM. These start first (start level
 * 1), before anything logs: whatever logs before the provider is mediated locks SLF4J to its
 * no-op logger for the life of the framework. The framework services start at level 2, neep
 * at Pax Exam's default level 3.
 *
 * <p>{@link #neep(String...)} provisions neep's bundles by their short names (the artifact id
 * without {@code neep-}: {@code "gpu-device"}, {@code "backend-virgl"},
 * {@code "vhost-user-gpu"}, {@code "testkit"}, ...), each with the bundles it needs.
 * Bundles are installed from {@code mvn:} URLs, so the artifacts must be in a Maven
 * repository Pax URL can read: the local one after {@code mvn install} of neep, or a remote
 * one. Point Pax URL at the local repository your build uses with the system property
 * {@code org.ops4j.pax.url.mvn.localRepository} (the sample in {@code samples/embed} shows how).
 */
public final class NeepOptions {

    private static final String NEEP = "dev.neep";

    /** Which neep bundles each neep bundle needs besides itself (the rest of the closure follows). */
    private static final Map<String, List<String>> NEEDS = Map.ofEntries(
            Map.entry("gpu-protocol", List.of()),
            Map.entry("config-support", List.of()),
            Map.entry("virtio", List.of()),
            Map.entry("gpu-api", List.of("gpu-protocol")),
            Map.entry("gpu-device", List.of("config-support", "virtio", "gpu-api", "backend-2d")),
            Map.entry("backend-2d", List.of("gpu-api")),
            Map.entry("backend-support", List.of("config-support", "gpu-api")),
            Map.entry("backend-virgl", List.of("backend-support")),
            Map.entry("backend-rutabaga", List.of("backend-support")),
            Map.entry("display-support", List.of("gpu-api")),
            Map.entry("display-headless", List.of("display-support")),
            Map.entry("display-png", List.of("config-support", "display-support")),
            Map.entry("display-web", List.of("config-support", "display-support")),
            Map.entry("display-window", List.of("config-support", "display-support")),
            Map.entry("vhost-user", List.of("virtio")),
            Map.entry("vhost-user-gpu", List.of("gpu-device", "vhost-user")),
            Map.entry("virtio-pci", List.of("virtio")),
            Map.entry("gpu-pci", List.of("gpu-device", "virtio-pci")),
            Map.entry("gpu-vga", List.of("gpu-device", "virtio-pci")),
            Map.entry("runtime-status", List.of("config-support")),
            Map.entry("virtio-testkit", List.of("virtio")),
            Map.entry("virtio-pci-testkit", List.of("virtio-testkit", "virtio-pci")),
            Map.entry("vhost-user-testkit", List.of("virtio-testkit", "vhost-user")),
            Map.entry("testkit", List.of("virtio-testkit", "gpu-api")));

    private static final Properties VERSIONS = load();

    /** The neep bundles that need more than {@link #framework()}: what else they need (after VERSIONS). */
    private static final Map<String, Option> OTHERS = Map.of("display-web", httpWhiteboard());

    private NeepOptions() {
    }

    /** The version of neep these options provision: the version of this library. */
    public static String version() {
        return version("neep");
    }

    /**
     * SLF4J 2 with its simple provider and SPI Fly (with ASM) at start level 1; the OSGi
     * utility bundles, SCR, ConfigAdmin, Metatype, the Log Service API and JNA at level 2.
     */
    public static Option framework() {
        return composite(
                bundle("org.ow2.asm", "asm", "asm", 1),
                bundle("org.ow2.asm", "asm-tree", "asm", 1),
                bundle("org.ow2.asm", "asm-analysis", "asm", 1),
                bundle("org.ow2.asm", "asm-commons", "asm", 1),
                bundle("org.ow2.asm", "asm-util", "asm", 1),
                bundle("org.apache.aries.spifly", "org.apache.aries.spifly.dynamic.bundle", "spifly", 1),
                bundle("org.slf4j", "slf4j-api", "slf4j", 1),
                bundle("org.slf4j", "slf4j-simple", "slf4j", 1),
                bundle("org.osgi", "org.osgi.util.function", "function", 2),
                bundle("org.osgi", "org.osgi.util.promise", "promise", 2),
                bundle("org.osgi", "org.osgi.service.component", "component", 2),
                bundle("org.osgi", "org.osgi.service.log", "log", 2),
                bundle("org.apache.felix", "org.apache.felix.scr", "scr", 2),
                bundle("org.apache.felix", "org.apache.felix.configadmin", "configadmin", 2),
                bundle("org.apache.felix", "org.apache.felix.metatype", "metatype", 2),
                bundle("net.java.dev.jna", "jna", "jna", 2));
    }

    /**
     * The OSGi HTTP Whiteboard display-web serves its pages with: Felix HTTP Jetty (Jetty 9.4
     * with its WebSocket) and the servlet API at start level 2, listening on a free loopback
     * port, so that tests on one machine never fight over one.
     */
    public static Option httpWhiteboard() {
        return composite(
                bundle("org.apache.felix", "org.apache.felix.http.servlet-api", "http.servlet-api", 2),
                bundle("org.apache.felix", "org.apache.felix.http.jetty", "http.jetty", 2),
                frameworkProperty("org.apache.felix.http.host").value("127.0.0.1"),
                frameworkProperty("org.osgi.service.http.port").value("0"));
    }

    /**
     * The neep bundles named (short names, e.g. {@code "gpu-device"}, {@code "display-png"}),
     * each with the neep bundles it needs, each once.
     *
     * @throws IllegalArgumentException for a name that is not a neep bundle, listing those that are
     */
    public static Option neep(String... names) {
        Set<String> closure = new LinkedHashSet<>();
        for (String name : names) {
            addWithNeeds(name, closure);
        }
        List<Option> bundles = new ArrayList<>();
        for (String name : closure) {
            bundles.add(mavenBundle(NEEP, "neep-" + name, version()));
            Option others = OTHERS.get(name);
            if (others != null) {
                bundles.add(others);
            }
        }
        return composite(bundles.toArray(new Option[0]));
    }

    /**
     * Everything an embedding test needs in one call: {@link #framework()}, the device with
     * the pure-Java 2D backend ({@code gpu-device}), the guest-side driver ({@code testkit}),
     * JUnit, and the neep bundles named in {@code more} (e.g. {@code "display-png"},
     * {@code "backend-virgl"}).
     */
    public static Option[] embedded(String... more) {
        List<String> names = new ArrayList<>(List.of("gpu-device", "testkit"));
        names.addAll(List.of(more));
        return new Option[] {framework(), neep(names.toArray(new String[0])), junitBundles()};
    }

    private static void addWithNeeds(String name, Set<String> closure) {
        List<String> needs = NEEDS.get(name);
        if (needs == null) {
            throw new IllegalArgumentException("no neep bundle " + name + "; there are " + NEEDS.keySet().stream()
                    .sorted().toList());
        }
        if (closure.contains(name)) {
            return;
        }
        for (String need : needs) {
            addWithNeeds(need, closure);
        }
        closure.add(name);
    }

    private static MavenArtifactProvisionOption bundle(String group, String artifact, String versionKey,
            int startLevel) {
        return mavenBundle(group, artifact, version(versionKey)).startLevel(startLevel);
    }

    private static String version(String key) {
        String v = VERSIONS.getProperty(key);
        if (v == null || v.startsWith("${")) {
            throw new IllegalStateException("versions.properties has no version for " + key
                    + ": this neep-paxexam jar was not built by neep's Maven build");
        }
        return v;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = NeepOptions.class.getResourceAsStream("versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("dev/neep/paxexam/versions.properties is missing from neep-paxexam");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("reading neep-paxexam's versions.properties", e);
        }
        return p;
    }
}
