package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.BackendConfig;
import dev.neep.gpu.protocol.CapsetIds;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The device's settings, by QEMU's property names, checked once: every constructor argument
 * out of range is refused with an {@link IllegalArgumentException} whose message names the
 * property and the value, so a bad configuration fails loudly instead of half-working.
 *
 * @param maxOutputs         {@code max_outputs}: scanouts, 1..16
 * @param xres               {@code xres}: preferred width of every output
 * @param yres               {@code yres}: preferred height of every output
 * @param edid               {@code edid}: offer VIRTIO_GPU_F_EDID and answer GET_EDID
 * @param maxHostmem         {@code max_hostmem}: bytes of host memory guest resources may use
 * @param capsetNames        {@code capset_names}: colon-separated capset names, empty for none
 * @param wsi                {@code wsi}: {@code surfaceless} or {@code headless}
 * @param waylandSocketPath  {@code wayland_socket_path}: for cross-domain, empty for the default
 * @param backend            {@code backend}: which GpuBackendProvider kind to bind
 */
public record DeviceConfig(int maxOutputs, int xres, int yres, boolean edid, long maxHostmem, String capsetNames,
        String wsi, String waylandSocketPath, String backend) {

    /** VIRTIO_GPU_MAX_SCANOUTS: GET_DISPLAY_INFO has room for 16. */
    public static final int MAX_SCANOUTS = 16;
    /** QEMU's default {@code max_hostmem}. */
    public static final long DEFAULT_MAX_HOSTMEM = 256L << 20;
    /** {@code sizeof(((struct sockaddr_un) {}).sun_path)} on Linux, including the terminating NUL. */
    public static final int SUN_PATH_SIZE = 108;
    /** The smallest mode SET_SCANOUT accepts (QEMU's rule), so also the smallest output. */
    public static final int MIN_RESOLUTION = 16;

    public static final String WSI_SURFACELESS = "surfaceless";
    public static final String WSI_HEADLESS = "headless";
    public static final String BACKEND_2D = "2d";
    public static final String BACKEND_VIRGL = "virgl";
    public static final String BACKEND_RUTABAGA = "rutabaga";

    public DeviceConfig {
        capsetNames = Objects.requireNonNullElse(capsetNames, "").trim();
        wsi = Objects.requireNonNullElse(wsi, "").trim();
        if (wsi.isEmpty()) {
            wsi = WSI_SURFACELESS;
        }
        waylandSocketPath = Objects.requireNonNullElse(waylandSocketPath, "").trim();
        backend = Objects.requireNonNullElse(backend, "").trim();
        if (backend.isEmpty()) {
            backend = BACKEND_2D;
        }
        require(maxOutputs >= 1 && maxOutputs <= MAX_SCANOUTS, "max_outputs", maxOutputs, "must be 1.." + MAX_SCANOUTS);
        require(xres >= MIN_RESOLUTION && xres <= Edid.MAX_ACTIVE, "xres", xres,
                "must be " + MIN_RESOLUTION + ".." + Edid.MAX_ACTIVE);
        require(yres >= MIN_RESOLUTION && yres <= Edid.MAX_ACTIVE, "yres", yres,
                "must be " + MIN_RESOLUTION + ".." + Edid.MAX_ACTIVE);
        require(maxHostmem > 0, "max_hostmem", maxHostmem, "must be a positive number of bytes");
        require(wsi.equals(WSI_SURFACELESS) || wsi.equals(WSI_HEADLESS), "wsi", wsi,
                "must be " + WSI_SURFACELESS + " or " + WSI_HEADLESS);
        require(backend.equals(BACKEND_2D) || backend.equals(BACKEND_VIRGL) || backend.equals(BACKEND_RUTABAGA),
                "backend", backend, "must be " + BACKEND_2D + ", " + BACKEND_VIRGL + " or " + BACKEND_RUTABAGA);
        capsetMask(capsetNames);
        require(waylandSocketPath.getBytes(StandardCharsets.UTF_8).length < SUN_PATH_SIZE, "wayland_socket_path",
                waylandSocketPath, "does not fit a unix socket address (" + (SUN_PATH_SIZE - 1) + " bytes at most)");
    }

    /** The defaults: one 1024x768 output with EDID, 256 MiB, no capsets, surfaceless, the 2D backend. */
    public static DeviceConfig defaults() {
        return new DeviceConfig(1, 1024, 768, true, DEFAULT_MAX_HOSTMEM, "", WSI_SURFACELESS, "", BACKEND_2D);
    }

    public DeviceConfig withMaxOutputs(int n) {
        return new DeviceConfig(n, xres, yres, edid, maxHostmem, capsetNames, wsi, waylandSocketPath, backend);
    }

    public DeviceConfig withMaxHostmem(long bytes) {
        return new DeviceConfig(maxOutputs, xres, yres, edid, bytes, capsetNames, wsi, waylandSocketPath, backend);
    }

    public DeviceConfig withWsi(String w) {
        return new DeviceConfig(maxOutputs, xres, yres, edid, maxHostmem, capsetNames, w, waylandSocketPath, backend);
    }

    public DeviceConfig withEdid(boolean e) {
        return new DeviceConfig(maxOutputs, xres, yres, e, maxHostmem, capsetNames, wsi, waylandSocketPath, backend);
    }

    public boolean headless() {
        return wsi.equals(WSI_HEADLESS);
    }

    /** rutabaga's capset mask of {@link #capsetNames()}: bit {@code 1 << id} per named capset. */
    public long capsetMask() {
        return capsetMask(capsetNames);
    }

    /**
     * What the backend is opened with. For cross-domain without a configured socket path the
     * path is derived the way libwayland finds its display ({@code $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY},
     * display defaulting to {@code wayland-0}); a derived path that does not fit a socket
     * address is an error, not a silent omission.
     */
    public BackendConfig backendConfig(Map<String, String> environment) {
        long mask = capsetMask();
        String path = waylandSocketPath;
        if (path.isEmpty() && (mask & (1L << CapsetIds.CROSS_DOMAIN)) != 0) {
            String runtimeDir = environment.get("XDG_RUNTIME_DIR");
            if (runtimeDir != null && !runtimeDir.isEmpty()) {
                String display = Objects.requireNonNullElse(environment.get("WAYLAND_DISPLAY"), "wayland-0");
                path = runtimeDir + "/" + display;
                require(path.getBytes(StandardCharsets.UTF_8).length < SUN_PATH_SIZE, "wayland_socket_path", path,
                        "(derived from XDG_RUNTIME_DIR and WAYLAND_DISPLAY) does not fit a unix socket address;"
                                + " set wayland_socket_path to a shorter path");
            }
        }
        Map<String, String> properties = path.isEmpty() ? Map.of() : Map.of("wayland_socket_path", path);
        return new BackendConfig(mask, wsi, properties);
    }

    private static long capsetMask(String names) {
        long mask = 0;
        if (names.isEmpty()) {
            return 0;
        }
        for (String name : names.split(":", -1)) {
            int id = CapsetIds.byName(name.trim());
            require(id > 0, "capset_names", names, "names an unknown capset '" + name + "' (known: virgl, virgl2,"
                    + " gfxstream-vulkan, venus, cross-domain, drm, gfxstream-magma, gfxstream-gles,"
                    + " gfxstream-composer)");
            mask |= 1L << id;
        }
        return mask;
    }

    private static void require(boolean ok, String property, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "configuration property " + property + "=" + value + " refused: " + rule);
        }
    }
}
