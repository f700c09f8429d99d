package dev.neep.gpu.api;

import java.util.Map;

/**
 * What a device hands a backend at open: the capsets it asked for (rutabaga's capset
 * mask, bit {@code 1 << capset_id}; 0 asks for the 2D component only), the window-system
 * integration, and any further backend-specific settings by QEMU's property names
 * ({@code wayland_socket_path}, for one).
 */
public record BackendConfig(long capsetMask, String wsi, Map<String, String> properties) {
    public BackendConfig {
        properties = Map.copyOf(properties);
    }
}
