package dev.neep.backend.rutabaga;

import dev.neep.gpu.api.BackendConfig;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The rutabaga backend's settings, read the way QEMU's {@code virtio-gpu-rutabaga} reads its
 * device properties, from a {@link BackendConfig}:
 *
 * <ul>
 *   <li>capsets: the device's {@link BackendConfig#capsetMask()}, plus the names in the
 *       {@value #CAPSET_NAMES} property (colon-separated, as in the v4 patch) and the boolean
 *       properties of upstream QEMU ({@code gfxstream-vulkan}, {@code gfxstream-gles},
 *       {@code gfxstream-composer}, {@code cross-domain}: {@code on}/{@code off},
 *       {@code true}/{@code false}, {@code yes}/{@code no}). Names are resolved by the library
 *       itself ({@code rutabaga_calculate_capset_mask}) when the backend opens;</li>
 *   <li>{@code wsi}: unset or {@code surfaceless} (the library draws surfaceless either way), or
 *       {@code headless}, which only tells the device to send no pixels;</li>
 *   <li>{@value #WAYLAND_SOCKET_PATH}: the host Wayland socket for cross-domain; unset, it is
 *       {@code $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY} with {@code wayland-0} for an unset display, and
 *       none at all without {@code XDG_RUNTIME_DIR} (guest Wayland proxies then fail, as in
 *       QEMU). A path that does not fit {@code sockaddr_un} is a hard error when cross-domain is
 *       on, as the patch's review asked.</li>
 * </ul>
 *
 * Every refusal is a {@link GpuBackendException} whose message names the property and the value.
 */
public final class RutabagaOptions {

    public static final String CAPSET_NAMES = "capset_names";
    public static final String WAYLAND_SOCKET_PATH = "wayland_socket_path";
    public static final String WSI_SURFACELESS = "surfaceless";
    public static final String WSI_HEADLESS = "headless";

    /** Upstream QEMU's boolean capset properties, each named as its capset. */
    public static final List<String> BOOLEAN_CAPSETS = CapsetIds.QEMU_SWITCHES;

    /** {@code sizeof(((struct sockaddr_un) {}).sun_path)} on Linux: the path and its NUL. */
    public static final int SUN_PATH_SIZE = 108;

    private final long capsetMask;
    private final Map<String, String> capsetNames;
    private final boolean headless;
    private final String waylandSocketPath;
    private final Map<String, String> environment;

    private RutabagaOptions(long capsetMask, Map<String, String> capsetNames, boolean headless,
            String waylandSocketPath, Map<String, String> environment) {
        this.capsetMask = capsetMask;
        this.capsetNames = capsetNames;
        this.headless = headless;
        this.waylandSocketPath = waylandSocketPath;
        this.environment = environment;
    }

    /**
     * Reads {@code config}; {@code environment} supplies {@code XDG_RUNTIME_DIR} and
     * {@code WAYLAND_DISPLAY} (the process environment in production).
     */
    public static RutabagaOptions of(BackendConfig config, Map<String, String> environment)
            throws GpuBackendException {
        Objects.requireNonNull(config, "config");
        Map<String, String> properties = config.properties();
        Map<String, String> names = new LinkedHashMap<>();
        String listed = properties.get(CAPSET_NAMES);
        if (listed != null && !listed.isBlank()) {
            for (String name : listed.split(":", -1)) {
                if (name.isBlank()) {
                    throw refused(CAPSET_NAMES, listed, "has an empty capset name; separate names with single colons,"
                            + " e.g. gfxstream-vulkan:cross-domain");
                }
                names.putIfAbsent(name.trim(), CAPSET_NAMES + "=" + listed);
            }
        }
        for (String name : BOOLEAN_CAPSETS) {
            String value = properties.get(name);
            if (value != null && parseBoolean(name, value)) {
                names.putIfAbsent(name, name + "=" + value);
            }
        }
        String wsi = config.wsi() == null ? "" : config.wsi().trim();
        if (!wsi.isEmpty() && !wsi.equals(WSI_SURFACELESS) && !wsi.equals(WSI_HEADLESS)) {
            throw refused("wsi", wsi, "is not supported: use " + WSI_SURFACELESS + " (the default) or " + WSI_HEADLESS);
        }
        String path = properties.get(WAYLAND_SOCKET_PATH);
        return new RutabagaOptions(config.capsetMask(), Collections.unmodifiableMap(names), wsi.equals(WSI_HEADLESS),
                path == null || path.isEmpty() ? null : path, Map.copyOf(environment));
    }

    /** The capset mask the device asked for, before the names are resolved. */
    public long capsetMask() {
        return capsetMask;
    }

    /**
     * Capset names to resolve with the library, each mapped to the setting it came from
     * ({@code capset_names=...} or {@code cross-domain=on}), in the order given.
     */
    public Map<String, String> capsetNames() {
        return capsetNames;
    }

    /** {@code wsi=headless}: the device sends the sinks geometry but no pixels. */
    public boolean headless() {
        return headless;
    }

    /**
     * The Wayland socket for the cross-domain channel once the capsets are resolved to
     * {@code resolvedMask}: none unless cross-domain (capset 5) is in it; then the configured
     * path as given, else the one derived from the environment, else none.
     *
     * @throws GpuBackendException when the path does not fit {@code sockaddr_un} or holds a NUL
     */
    public Optional<String> waylandSocket(long resolvedMask) throws GpuBackendException {
        if ((resolvedMask & (1L << CapsetIds.CROSS_DOMAIN)) == 0) {
            return Optional.empty();
        }
        String path = waylandSocketPath;
        String derived = "";
        if (path == null) {
            String runtimeDir = environment.get("XDG_RUNTIME_DIR");
            if (runtimeDir == null) {
                return Optional.empty();
            }
            String display = environment.getOrDefault("WAYLAND_DISPLAY", "wayland-0");
            path = runtimeDir + "/" + display;
            derived = " (derived from $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY)";
        }
        if (path.indexOf('\0') >= 0) {
            throw refused(WAYLAND_SOCKET_PATH, path.replace("\0", "\\0"), "contains a NUL byte");
        }
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (bytes + 1 > SUN_PATH_SIZE) {
            throw refused(WAYLAND_SOCKET_PATH, path, derived + " does not fit a unix socket address: " + bytes
                    + " bytes and a NUL, where sun_path holds " + SUN_PATH_SIZE + "; cross-domain needs the socket,"
                    + " so set " + WAYLAND_SOCKET_PATH + " to a path of at most " + (SUN_PATH_SIZE - 1) + " bytes");
        }
        return Optional.of(path);
    }

    /** QEMU's spelling of a boolean property value. */
    private static boolean parseBoolean(String property, String value) throws GpuBackendException {
        switch (value.trim()) {
            case "on": case "true": case "yes":
                return true;
            case "off": case "false": case "no":
                return false;
            default:
                throw refused(property, value, "is not a boolean: use on or off");
        }
    }

    private static GpuBackendException refused(String property, String value, String rule) {
        String space = rule.startsWith(" ") ? "" : " ";
        return new GpuBackendException(CtrlType.RESP_ERR_UNSPEC,
                "rutabaga backend: " + property + "=" + value + space + rule);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("capset mask 0x" + Long.toHexString(capsetMask));
        if (!capsetNames.isEmpty()) {
            parts.add("capsets " + String.join(":", capsetNames.keySet()));
        }
        parts.add("wsi " + (headless ? WSI_HEADLESS : WSI_SURFACELESS));
        if (waylandSocketPath != null) {
            parts.add(WAYLAND_SOCKET_PATH + " " + waylandSocketPath);
        }
        return String.join(", ", parts);
    }
}
