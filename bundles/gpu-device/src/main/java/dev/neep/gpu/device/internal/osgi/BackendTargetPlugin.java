package dev.neep.gpu.device.internal.osgi;

import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.internal.DeviceConfig;
import java.util.Dictionary;
import java.util.Set;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationPlugin;

/**
 * Derives the device's backend reference target from its {@code backend} property: for PID
 * {@value GpuDeviceConfig#PID} it sets {@code backend.target} to
 * {@code (neep.backend=<backend>)}, so one property chooses the backend and the component
 * binds exactly that provider.
 *
 * <p>This works because Felix SCR (2.2) reads component configurations through
 * {@code Configuration.getProcessedProperties}, which runs the ConfigurationPlugins, both
 * when a component is first configured and on every update. The plugin must be registered
 * before SCR processes this bundle, hence a bundle activator rather than a DS component.
 *
 * <p>An unknown {@code backend} value is left alone: the component then starts with its
 * default target and refuses the configuration in its activate method, with a message that
 * names the property and the value.
 */
final class BackendTargetPlugin implements ConfigurationPlugin {

    static final String TARGET_PROPERTY = "backend.target";
    private static final Set<String> KINDS = Set.of(DeviceConfig.BACKEND_2D, DeviceConfig.BACKEND_VIRGL,
            DeviceConfig.BACKEND_RUTABAGA);

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        if (!GpuDeviceConfig.PID.equals(properties.get("service.pid"))) {
            return;
        }
        String kind = targetKind(properties.get("backend"));
        if (kind != null) {
            properties.put(TARGET_PROPERTY, filter(kind));
        }
    }

    /** The provider filter for a backend kind. */
    static String filter(String kind) {
        return "(" + GpuBackendProvider.BACKEND_PROPERTY + "=" + kind + ")";
    }

    /** The kind {@code value} names, the default for none, null for a value that is not a kind. */
    static String targetKind(Object value) {
        String kind = value == null ? "" : value.toString().trim();
        if (kind.isEmpty()) {
            return DeviceConfig.BACKEND_2D;
        }
        return KINDS.contains(kind) ? kind : null;
    }
}
