package dev.neep.runtime.status;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * The state of every bundle and every DS component at one moment, immutable.
 *
 * <p>A component that waits for a service names it: reference name, interface and target
 * filter, so "nothing happens" always comes with the reason.
 */
public final class RuntimeReport {

    /** Bundles whose symbolic name starts with this are neep's own. */
    public static final String NEEP_PREFIX = "dev.neep.";

    /**
     * Component property by which a component says that waiting for a service is normal in
     * some environments, and why; for example {@code neep.status.may.wait=needs
     * librutabaga_gfx_ffi, which Debian does not package}. Such a component is reported
     * while it waits, but not as a problem.
     */
    public static final String MAY_WAIT_PROPERTY = "neep.status.may.wait";

    /** One bundle. A fragment is fine when RESOLVED: fragments never become ACTIVE. */
    public record BundleState(long id, String symbolicName, String version, String state, boolean fragment) {
        public boolean healthy() {
            return "ACTIVE".equals(state) || (fragment && "RESOLVED".equals(state));
        }

        String line() {
            return String.format("%4d %-9s %s %s%s", id, state, symbolicName, version, fragment ? " (fragment)" : "");
        }
    }

    /** What a component is doing. One description may have several configurations. */
    public enum Status {
        ACTIVE, SATISFIED, UNSATISFIED_REFERENCE, UNSATISFIED_CONFIGURATION, FAILED_ACTIVATION,
        /** Disabled by its description or by a management agent. */
        DISABLED,
        /** Configuration policy REQUIRE and no configuration yet: normal until someone configures it. */
        AWAITING_CONFIGURATION,
        /** A factory component with no instance created yet. */
        FACTORY
    }

    /**
     * One component configuration (or one description that has none).
     *
     * @param waitingFor for UNSATISFIED_REFERENCE, each missing reference as
     *        {@code name -> interface (target)}; for AWAITING_CONFIGURATION, the PIDs
     * @param failure for FAILED_ACTIVATION, the failure SCR recorded
     * @param instance what tells apart configurations of one component (factory PID instance), or empty
     * @param mayWait why waiting is normal for this component ({@link #MAY_WAIT_PROPERTY}), or null
     */
    public record ComponentState(String bundle, String name, Status status, List<String> waitingFor,
                                 String failure, String instance, String mayWait) {
        public ComponentState {
            waitingFor = List.copyOf(waitingFor);
        }

        String key() {
            return "component " + name + (instance.isEmpty() ? "" : "#" + instance);
        }

        String line() {
            StringBuilder b = new StringBuilder(String.format("%-25s %s", status, name));
            if (!instance.isEmpty()) {
                b.append(" [").append(instance).append(']');
            }
            b.append(" (").append(bundle).append(')');
            if (!waitingFor.isEmpty()) {
                b.append(status == Status.AWAITING_CONFIGURATION ? " awaiting configuration " : " waiting for ")
                        .append(String.join(", ", waitingFor));
            }
            if (failure != null) {
                b.append(": ").append(failure.lines().findFirst().orElse(""));
            }
            if (mayWait != null && status != Status.ACTIVE && status != Status.SATISFIED) {
                b.append(" (may wait: ").append(mayWait).append(')');
            }
            return b.toString();
        }
    }

    private final List<BundleState> bundles;
    private final List<ComponentState> components;

    public RuntimeReport(List<BundleState> bundles, List<ComponentState> components) {
        this.bundles = List.copyOf(bundles);
        this.components = List.copyOf(components);
    }

    /** Takes a snapshot of the framework {@code context} belongs to. */
    public static RuntimeReport capture(BundleContext context, ServiceComponentRuntime scr) {
        List<BundleState> bundles = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            bundles.add(new BundleState(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(),
                    stateName(b.getState()), b.getHeaders("").get(Constants.FRAGMENT_HOST) != null));
        }
        bundles.sort(Comparator.comparingLong(BundleState::id));
        List<ComponentState> components = new ArrayList<>();
        List<ComponentDescriptionDTO> descriptions = new ArrayList<>(scr.getComponentDescriptionDTOs());
        descriptions.sort(Comparator.<ComponentDescriptionDTO>comparingLong(d -> d.bundle.id).thenComparing(d -> d.name));
        for (ComponentDescriptionDTO d : descriptions) {
            components.addAll(describe(d, scr.isComponentEnabled(d), scr.getComponentConfigurationDTOs(d)));
        }
        return new RuntimeReport(bundles, components);
    }

    static List<ComponentState> describe(ComponentDescriptionDTO d, boolean enabled,
                                         Collection<ComponentConfigurationDTO> configurations) {
        String bundle = d.bundle.symbolicName;
        Object declared = d.properties == null ? null : d.properties.get(MAY_WAIT_PROPERTY);
        String mayWait = declared == null ? null : declared.toString();
        if (!enabled) {
            return List.of(new ComponentState(bundle, d.name, Status.DISABLED, List.of(), null, "", mayWait));
        }
        if (configurations.isEmpty()) {
            if (d.factory != null) {
                return List.of(new ComponentState(bundle, d.name, Status.FACTORY, List.of(), null, "", mayWait));
            }
            // SCR keeps no configuration DTO for a component with policy REQUIRE until it is configured.
            return List.of(new ComponentState(bundle, d.name, Status.AWAITING_CONFIGURATION,
                    Arrays.asList(d.configurationPid), null, "", mayWait));
        }
        List<ComponentState> states = new ArrayList<>();
        for (ComponentConfigurationDTO c : configurations) {
            Status status = status(c.state);
            List<String> waiting = new ArrayList<>();
            if (c.unsatisfiedReferences != null) {
                for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                    waiting.add(u.name + " -> " + interfaceOf(d, u.name)
                            + (u.target == null ? "" : " " + u.target));
                }
            }
            Object pid = c.properties == null ? null : c.properties.get(Constants.SERVICE_PID);
            String instance = pid != null && d.factory == null && !Arrays.asList(d.configurationPid).contains(pid)
                    ? pid.toString() : "";
            states.add(new ComponentState(bundle, d.name, status, waiting,
                    status == Status.FAILED_ACTIVATION ? String.valueOf(c.failure) : null, instance, mayWait));
        }
        return states;
    }

    private static String interfaceOf(ComponentDescriptionDTO d, String reference) {
        for (ReferenceDTO r : d.references) {
            if (r.name.equals(reference)) {
                return r.interfaceName;
            }
        }
        return "?";
    }

    private static Status status(int state) {
        switch (state) {
            case ComponentConfigurationDTO.ACTIVE: return Status.ACTIVE;
            case ComponentConfigurationDTO.SATISFIED: return Status.SATISFIED;
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE: return Status.UNSATISFIED_REFERENCE;
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION: return Status.UNSATISFIED_CONFIGURATION;
            case ComponentConfigurationDTO.FAILED_ACTIVATION: return Status.FAILED_ACTIVATION;
            default: throw new IllegalArgumentException("unknown component state " + state);
        }
    }

    private static String stateName(int state) {
        switch (state) {
            case Bundle.UNINSTALLED: return "UNINSTALLED";
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            case Bundle.ACTIVE: return "ACTIVE";
            default: return "STATE-" + state;
        }
    }

    public List<BundleState> bundles() {
        return bundles;
    }

    public List<ComponentState> components() {
        return components;
    }

    /** Every configuration of the component called {@code name}; empty when SCR does not know it. */
    public List<ComponentState> component(String name) {
        return components.stream().filter(c -> c.name().equals(name)).collect(Collectors.toList());
    }

    /**
     * What is wrong, one line each: a neep bundle not ACTIVE, a component that failed to
     * activate, a component waiting for a service or configuration. A component that
     * declares {@link #MAY_WAIT_PROPERTY}, or is named in {@code mayWait} (one whose service
     * is legitimately absent here, such as a backend whose native library is not
     * installed), is reported by {@link #lines()} but is not a problem while it waits; its
     * failure to activate still is.
     */
    public List<String> problems(Set<String> mayWait) {
        List<String> problems = new ArrayList<>();
        for (BundleState b : bundles) {
            if (b.symbolicName() != null && b.symbolicName().startsWith(NEEP_PREFIX) && !b.healthy()) {
                problems.add("bundle " + b.symbolicName() + " is " + b.state());
            }
        }
        for (ComponentState c : components) {
            boolean waiting = c.status() == Status.UNSATISFIED_REFERENCE || c.status() == Status.UNSATISFIED_CONFIGURATION;
            boolean normal = c.mayWait() != null || mayWait.contains(c.name());
            if (c.status() == Status.FAILED_ACTIVATION || (waiting && !normal)) {
                problems.add("component " + c.line().strip());
            }
        }
        return problems;
    }

    /** The report as an operator reads it: a summary line, then bundles, then components. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(summary());
        lines.add("bundles:");
        bundles.forEach(b -> lines.add("  " + b.line()));
        lines.add("components:");
        components.forEach(c -> lines.add("  " + c.line()));
        return lines;
    }

    /** For example {@code 14 bundles (14 active), 6 components (5 active, 1 waiting)}. */
    public String summary() {
        long activeBundles = bundles.stream().filter(BundleState::healthy).count();
        Map<String, Long> byStatus = components.stream().collect(Collectors.groupingBy(
                c -> c.status().name().toLowerCase().replace('_', ' '), LinkedHashMap::new, Collectors.counting()));
        String componentCounts = byStatus.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
        return bundles.size() + " bundles (" + activeBundles + " active), " + components.size() + " components"
                + (componentCounts.isEmpty() ? "" : " (" + componentCounts + ")");
    }

    /**
     * The lines of this report that differ from {@code before}: bundles and components that
     * appeared or changed, and, prefixed {@code gone:}, those that disappeared.
     */
    public List<String> changesSince(RuntimeReport before) {
        Map<String, String> was = before.keyedLines();
        Map<String, String> now = keyedLines();
        List<String> changes = new ArrayList<>();
        now.forEach((key, line) -> {
            if (!line.equals(was.get(key))) {
                changes.add(line);
            }
        });
        was.forEach((key, line) -> {
            if (!now.containsKey(key)) {
                changes.add("gone: " + line.strip());
            }
        });
        return changes;
    }

    private Map<String, String> keyedLines() {
        Map<String, String> lines = new LinkedHashMap<>();
        bundles.forEach(b -> lines.put("bundle " + b.id(), "  " + b.line()));
        components.forEach(c -> lines.put(c.key(), "  " + c.line()));
        return lines;
    }

    @Override
    public String toString() {
        return String.join(System.lineSeparator(), lines());
    }
}
