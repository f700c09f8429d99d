package dev.neep.gpu.device.internal.osgi;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.api.ScanoutId;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the device's backend the way DS chooses any reference: by the target filter
 * {@code backend.target} in the component's configuration. A user may write that filter
 * directly ({@code backend.target = (neep.backend=<kind>)}); {@code backend = <kind>} is the
 * shorthand, which this plugin turns into {@code backend.target=(neep.backend=<kind>)} for PID
 * {@value GpuDeviceConfig#PID}. Any kind is accepted, so a new backend bundle needs no change
 * here; only its syntax is checked (letters, digits, {@code . _ -}), so that it is one filter
 * value. Writing both, with different providers, is refused rather than guessed at.
 *
 * <p>It also names the device: {@code neep.device} ({@link DisplaySink#DEVICE_PROPERTY}), from
 * {@code name} or the factory configuration's name (see {@link #name}), so that the device's
 * services carry it and a transport or a sink can select that device by it.
 *
 * <p>It also checks the whole configuration, with the same reading the component uses
 * ({@link GpuDeviceComponent#deviceConfig}). A configuration that is refused gets a target
 * that no provider matches, {@code (neep.configuration.refused=<why>)}: the component is
 * then not active but waiting, the runtime's status report shows the reason in the target, and
 * the log says it once per update. Waiting rather than failing matters: Felix SCR activates a
 * waiting component again as soon as a fixed configuration gives it a provider, whereas a
 * component with a modified method whose activation failed stays failed.
 *
 * <p>This works because Felix SCR (2.2) reads component configurations through
 * {@code Configuration.getProcessedProperties}, which runs the ConfigurationPlugins, both
 * when a component is first configured and on every update. The plugin must be registered
 * before SCR processes this bundle, hence a bundle activator rather than a DS component.
 */
final class BackendTargetPlugin implements ConfigurationPlugin {

    static final String BACKEND_PROPERTY = "backend";
    static final String NAME_PROPERTY = "name";
    static final String TARGET_PROPERTY = "backend.target";
    static final String REFUSED_PROPERTY = ConfigurationRefused.TARGET_PROPERTY;

    /** A kind that is one LDAP filter value as it stands, and reads as a name. */
    private static final Pattern KIND = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private static final Logger LOG = LoggerFactory.getLogger(BackendTargetPlugin.class);

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        if (!GpuDeviceConfig.PID.equals(properties.get(Constants.SERVICE_PID))
                && !GpuDeviceConfig.PID.equals(properties.get(ConfigurationAdmin.SERVICE_FACTORYPID))) {
            return;
        }
        Map<String, Object> map = new HashMap<>();
        for (String key : Collections.list(properties.keys())) {
            map.put(key, properties.get(key));
        }
        String target = target(map);
        properties.put(TARGET_PROPERTY, target);
        if (!target.startsWith("(" + REFUSED_PROPERTY + "=")) {
            properties.put(DisplaySink.DEVICE_PROPERTY, name(map));
        }
    }

    /**
     * The device's name: {@code name} when set, else the factory configuration's name
     * ({@code dev.neep.gpu~NAME}) or, for a factory configuration without one, its PID;
     * {@value ScanoutId#DEFAULT_DEVICE} for the single configuration. A name that is not one
     * gets the refusal target instead (see {@link #target}).
     */
    static String name(Map<String, ?> properties) {
        String set = TypedConfiguration.read(GpuDeviceConfig.class, properties).name().trim();
        if (!set.isEmpty()) {
            return set;
        }
        Object pid = properties.get(Constants.SERVICE_PID);
        if (pid == null || GpuDeviceConfig.PID.equals(pid)) {
            return ScanoutId.DEFAULT_DEVICE;
        }
        String p = pid.toString();
        int tilde = p.indexOf('~');
        return tilde >= 0 ? p.substring(tilde + 1) : p;
    }

    /** The provider filter for the configuration {@code properties}; logs why when it is refused. */
    static String target(Map<String, ?> properties) {
        try {
            GpuDeviceComponent.deviceConfig(properties);
            return selected(properties);
        } catch (ConfigurationRefused e) {
            LOG.error("virtio-gpu device configuration refused; the device waits until it is fixed: {}",
                    e.getMessage());
            return "(" + REFUSED_PROPERTY + "=" + escape(e.getMessage()) + ")";
        }
    }

    /** The filter {@code backend.target} as written, or the one {@code backend} stands for. */
    private static String selected(Map<String, ?> properties) {
        String name = name(properties);
        if (!KIND.matcher(name).matches()) {
            throw new ConfigurationRefused(GpuDeviceConfig.PID, NAME_PROPERTY, name, "is not a device name:"
                    + " letters, digits, '.', '_' and '-', starting with a letter or a digit");
        }
        String kind = TypedConfiguration.read(GpuDeviceConfig.class, properties).backend().trim();
        if (!KIND.matcher(kind).matches()) {
            throw new ConfigurationRefused(GpuDeviceConfig.PID, BACKEND_PROPERTY, kind, "is not a backend kind:"
                    + " letters, digits, '.', '_' and '-', starting with a letter or a digit");
        }
        Object written = properties.get(TARGET_PROPERTY);
        if (written == null || written.toString().startsWith("(" + REFUSED_PROPERTY + "=")) {
            // none written, or this plugin's own answer to an earlier refusal handed back
            return filter(kind);
        }
        if (!(written instanceof String target)) {
            throw new ConfigurationRefused(GpuDeviceConfig.PID, TARGET_PROPERTY, written, "is not an LDAP filter");
        }
        try {
            FrameworkUtil.createFilter(target);
        } catch (InvalidSyntaxException e) {
            throw new ConfigurationRefused(GpuDeviceConfig.PID, TARGET_PROPERTY, target,
                    "is not an LDAP filter: " + e.getMessage());
        }
        Object shorthand = properties.get(BACKEND_PROPERTY);
        if (shorthand != null && !shorthand.toString().isBlank() && !target.equals(filter(kind))) {
            throw new ConfigurationRefused(GpuDeviceConfig.PID, TARGET_PROPERTY, target, "chooses otherwise than "
                    + BACKEND_PROPERTY + "=" + kind + " (which stands for " + filter(kind) + "); set one of them");
        }
        return target;
    }

    /** The provider filter for a backend kind. */
    static String filter(String kind) {
        return "(" + GpuBackendProvider.BACKEND_PROPERTY + "=" + kind + ")";
    }

    /** An LDAP filter value: {@code \ ( ) *} escaped (RFC 1960, OSGi core 3.2.7). */
    private static String escape(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '(' || c == ')' || c == '*') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
