package dev.neep.gpu.vga.internal;

import dev.neep.config.support.ConfigurationRefused;

/** Reading virtio-vga's configuration into the function's {@link VirtioVga.Options}, checked once. */
final class VirtioVgaSettings {

    private VirtioVgaSettings() {
    }

    /** @throws ConfigurationRefused naming the property and its value when one is unusable */
    static VirtioVga.Options from(VirtioVgaConfig config) {
        long bytes = (long) config.vram__size__mb() << 20;
        if (config.vram__size__mb() < 1 || bytes > Vram.MAX_SIZE || Long.bitCount(bytes) != 1) {
            throw new ConfigurationRefused(VirtioVgaConfig.PID, "vram_size_mb", config.vram__size__mb(),
                    "must be a power of two from 1 to " + (Vram.MAX_SIZE >> 20));
        }
        return new VirtioVga.Options((int) bytes, config.vram__direct(),
                (int) ConfigurationRefused.within(VirtioVgaConfig.PID, "subsystem_vendor_id",
                        config.subsystem__vendor__id(), 0, 0xffff),
                (int) ConfigurationRefused.within(VirtioVgaConfig.PID, "subsystem_id", config.subsystem__id(), 0, 0xffff));
    }
}
