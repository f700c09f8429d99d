package dev.neep.backend.rutabaga.internal;

import dev.neep.backend.support.CapsetNames;
import dev.neep.backend.support.Wsi;
import dev.neep.config.support.ConfigurationRefused;
import dev.neep.gpu.protocol.CapsetIds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rutabaga backend's settings, read the way QEMU's {@code virtio-gpu-rutabaga} reads its
 * device properties, and checked once:
 *
 * <ul>
 *   <li>capsets: the names in {@code capset_names} (colon-separated, as in the v4 patch), then
 *       those upstream QEMU's boolean properties switch on ({@code gfxstream-vulkan},
 *       {@code gfxstream-gles}, {@code gfxstream-composer}, {@code cross-domain}); each must be a
 *       capset's name. The library resolves them when the backend opens
 *       ({@code rutabaga_calculate_capset_mask});</li>
 *   <li>{@code wsi}: {@code surfaceless} (the library draws surfaceless either way) or
 *       {@code headless}, which only tells the device to send no pixels;</li>
 *   <li>{@code wayland_socket_path}: the host Wayland socket for cross-domain; unset, it is
 *       {@code $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY} with {@code wayland-0} for an unset display, and
 *       none at all without {@code XDG_RUNTIME_DIR} (guest Wayland proxies then fail, as in
 *       QEMU). A path that does not fit {@code sockaddr_un} is refused when cross-domain is on,
 *       as the patch's review asked.</li>
 * </ul>
 *
 * @param libraryPath   where librutabaga_gfx_ffi is, blank for where it usually is
 * @param capsetNames   capset names to resolve with the library, each mapped to the setting it
 *                      came from ({@code capset_names=...} or {@code cross-domain=on}), in order
 * @param headless      {@code wsi=headless}
 * @param waylandSocket the cross-domain channel's socket: none unless cross-domain is asked for
 */
record RutabagaSettings(String libraryPath, Map<String, String> capsetNames, boolean headless,
        Optional<String> waylandSocket) {

    static final String WAYLAND_SOCKET_PATH = "wayland_socket_path";

    /** {@code sizeof(((struct sockaddr_un) {}).sun_path)} on Linux: the path and its NUL. */
    static final int SUN_PATH_SIZE = 108;

    RutabagaSettings {
        capsetNames = Collections.unmodifiableMap(new LinkedHashMap<>(capsetNames));
    }

    /**
     * Reads {@code config}; {@code environment} supplies {@code XDG_RUNTIME_DIR} and
     * {@code WAYLAND_DISPLAY} (the process environment in production).
     *
     * @throws ConfigurationRefused naming the property and the value
     */
    static RutabagaSettings from(RutabagaBackendConfig config, Map<String, String> environment) {
        String pid = RutabagaBackendConfig.PID;
        Map<String, String> names = new LinkedHashMap<>();
        for (String name : CapsetNames.parse(pid, config.capset__names())) {
            names.putIfAbsent(name, CapsetNames.PROPERTY + "=" + config.capset__names());
        }
        List<Boolean> switches = List.of(config.gfxstream$_$vulkan(), config.gfxstream$_$gles(),
                config.gfxstream$_$composer(), config.cross$_$domain());
        for (int i = 0; i < switches.size(); i++) {
            if (switches.get(i)) {
                String name = CapsetIds.QEMU_SWITCHES.get(i);
                names.putIfAbsent(name, name + "=on");
            }
        }
        boolean crossDomain = names.containsKey(CapsetIds.name(CapsetIds.CROSS_DOMAIN));
        return new RutabagaSettings(config.library__path(), names, Wsi.headless(pid, config.wsi()),
                crossDomain ? waylandSocket(config.wayland__socket__path(), environment) : Optional.empty());
    }

    /** The configured path as given, else the one derived from the environment, else none. */
    private static Optional<String> waylandSocket(String configured, Map<String, String> environment) {
        String path = configured;
        String derived = "";
        if (path.isEmpty()) {
            String runtimeDir = environment.get("XDG_RUNTIME_DIR");
            if (runtimeDir == null) {
                return Optional.empty();
            }
            path = runtimeDir + "/" + environment.getOrDefault("WAYLAND_DISPLAY", "wayland-0");
            derived = " (derived from $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY)";
        }
        if (path.indexOf('\0') >= 0) {
            throw new ConfigurationRefused(RutabagaBackendConfig.PID, WAYLAND_SOCKET_PATH, path.replace("\0", "\\0"),
                    "contains a NUL byte");
        }
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (bytes + 1 > SUN_PATH_SIZE) {
            throw new ConfigurationRefused(RutabagaBackendConfig.PID, WAYLAND_SOCKET_PATH, path, "does not fit a unix"
                    + " socket address" + derived + ": " + bytes + " bytes and a NUL, where sun_path holds "
                    + SUN_PATH_SIZE + "; cross-domain needs the socket, so set " + WAYLAND_SOCKET_PATH
                    + " to a path of at most " + (SUN_PATH_SIZE - 1) + " bytes");
        }
        return Optional.of(path);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add(capsetNames.isEmpty() ? "no capsets" : "capsets " + String.join(":", capsetNames.keySet()));
        parts.add(Wsi.PROPERTY + " " + (headless ? Wsi.HEADLESS : Wsi.SURFACELESS));
        waylandSocket.ifPresent(s -> parts.add(WAYLAND_SOCKET_PATH + " " + s));
        return String.join(", ", parts);
    }
}
