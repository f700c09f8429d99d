package dev.neep.gpu.device.internal.osgi;

import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.internal.DeviceConfig;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Map;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Derives the device's backend reference target from its configuration: for PID
 * {@value GpuDeviceConfig#PID} it sets {@code backend.target} to
 * {@code (neep.backend=<backend>)}, so one property chooses the backend and the component
 * binds exactly that provider.
 *
 * <p>It also checks the whole configuration, with the same reading the component uses
 * ({@link DeviceConfig#fromProperties}). A configuration that is refused gets a target that
 * no provider matches, {@code (neep.gpu.configuration.refused=<why>)}: the component is then
 * not active but waiting, the runtime's status report shows the reason in the target, and the
 * log says it once per update. Waiting rather than failing matters: Felix SCR activates a
 * waiting component again as soon as a fixed configuration gives it a provider, whereas a
 * component with a modified method whose activation failed stays failed.
 *
 * <p>This works because Felix SCR (2.2) reads component configurations through
 * {@code Configuration.getProcessedProperties}, which runs the ConfigurationPlugins, both
 * when a component is first configured and on every update. The plugin must be registered
 * before SCR processes this bundle, hence a bundle activator rather than a DS component.
 */
final class BackendTargetPlugin implements ConfigurationPlugin {

    static final String TARGET_PROPERTY = "backend.target";
    static final String REFUSED_PROPERTY = "neep.gpu.configuration.refused";

    private static final Logger LOG = LoggerFactory.getLogger(BackendTargetPlugin.class);

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        if (!GpuDeviceConfig.PID.equals(properties.get("service.pid"))) {
            return;
        }
        Map<String, Object> map = new HashMap<>();
        for (String key : Collections.list(properties.keys())) {
            map.put(key, properties.get(key));
        }
        properties.put(TARGET_PROPERTY, target(map));
    }

    /** The provider filter for the configuration {@code properties}; logs why when it is refused. */
    static String target(Map<String, ?> properties) {
        try {
            return filter(DeviceConfig.fromProperties(properties).backend());
        } catch (IllegalArgumentException e) {
            LOG.error("virtio-gpu device configuration {} refused; the device waits until it is fixed: {}",
                    GpuDeviceConfig.PID, e.getMessage());
            return "(" + REFUSED_PROPERTY + "=" + escape(e.getMessage()) + ")";
        }
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
