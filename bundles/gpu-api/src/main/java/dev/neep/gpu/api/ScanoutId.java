package dev.neep.gpu.api;

import java.util.Objects;

/**
 * Which scanout of which device a {@link DisplaySink} call is about. Several devices may run in
 * one runtime (one per guest), each with scanouts numbered from 0, so a sink keys what it keeps
 * by this pair, never by the scanout number alone.
 *
 * @param device  the device's name, unique among the devices of one runtime (gpu-device's
 *                {@code name} setting); stable for the device's lifetime
 * @param scanout the scanout, 0 to {@code max_outputs - 1}
 */
public record ScanoutId(String device, int scanout) {

    /**
     * The name of a device given none: an embedded device's, and the single configuration's
     * in a framework. Sinks that name things after the device (files) leave it out for this one.
     */
    public static final String DEFAULT_DEVICE = "gpu";

    public ScanoutId {
        Objects.requireNonNull(device, "device");
    }

    /** {@code device:scanout}, as log lines and file names show it. */
    @Override
    public String toString() {
        return device + ":" + scanout;
    }
}
