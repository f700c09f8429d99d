package dev.neep.backend.support;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.util.function.Supplier;

/**
 * A provider's settings as last configured, or why they were refused. A provider reads its
 * configuration when it is activated or modified, where it must not fail (the component and
 * its service stay as they are); a refusal fails the next open instead, with its message.
 *
 * @param settings the settings, or {@code null}
 * @param refusal  why there are none, or {@code null}
 */
public record CheckedSettings<T>(T settings, String refusal) {

    /** What {@code reading} gives, or the refusal it throws. */
    public static <T> CheckedSettings<T> read(Supplier<T> reading) {
        try {
            return new CheckedSettings<>(reading.get(), null);
        } catch (ConfigurationRefused e) {
            return new CheckedSettings<>(null, e.getMessage());
        }
    }

    /** The settings, or RESP_ERR_UNSPEC with the refusal. */
    public T require() throws GpuBackendException {
        if (refusal != null) {
            throw new GpuBackendException(CtrlType.RESP_ERR_UNSPEC, refusal);
        }
        return settings;
    }
}
