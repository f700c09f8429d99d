package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.BackendConfig;
import dev.neep.gpu.protocol.CapsetIds;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The device's settings, by QEMU's property names, checked once: every value out of range is
 * refused with an {@link IllegalArgumentException} whose message names the property and the
 * value, so a bad configuration fails loudly instead of half-working.
 *
 * <p>Two kinds of setting: the device's <em>shape</em> ({@code max_outputs}, {@code xres},
 * {@code yres}, {@code edid}, {@code max_hostmem}), which a driver reads when it initialises
 * the device, and the <em>backend settings</em> (everything else), which are what the backend
 * is opened with.
 *
 * <p>The device reads the generic settings itself ({@code capset_names} through
 * {@link CapsetIds}, {@code wsi}) and hands the rest over as written, by QEMU's names, in
 * {@link BackendConfig#properties()}: what a backend derives from them (rutabaga's Wayland
 * socket, its boolean capset switches) is decided in that backend alone.
 *
 * @param maxOutputs         {@code max_outputs}: scanouts, 1..16
 * @param xres               {@code xres}: preferred width of every output
 * @param yres               {@code yres}: preferred height of every output
 * @param edid               {@code edid}: offer VIRTIO_GPU_F_EDID and answer GET_EDID
 * @param maxHostmem         {@code max_hostmem}: bytes of host memory guest resources may use
 * @param capsetNames        {@code capset_names}: colon-separated capset names; empty for the
 *                           backend's default ({@link #capsetMask()})
 * @param wsi                {@code wsi}: {@code surfaceless} or {@code headless}
 * @param waylandSocketPath  {@code wayland_socket_path}: passed to the backend as written
 * @param backend            {@code backend}: which GpuBackendProvider kind to bind
 * @param capsetSwitches     upstream QEMU's boolean capset properties that are on
 *                           ({@link #CAPSET_SWITCHES}); only the rutabaga backend has them
 */
public record DeviceConfig(int maxOutputs, int xres, int yres, boolean edid, long maxHostmem, String capsetNames,
        String wsi, String waylandSocketPath, String backend, List<String> capsetSwitches) {

    /** VIRTIO_GPU_MAX_SCANOUTS: GET_DISPLAY_INFO has room for 16. */
    public static final int MAX_SCANOUTS = 16;
    /** The smallest mode SET_SCANOUT accepts (QEMU's rule), so also the smallest output. */
    public static final int MIN_RESOLUTION = 16;

    public static final String MAX_OUTPUTS = "max_outputs";
    public static final String XRES = "xres";
    public static final String YRES = "yres";
    public static final String EDID = "edid";
    public static final String MAX_HOSTMEM = "max_hostmem";
    public static final String CAPSET_NAMES = "capset_names";
    public static final String WSI = "wsi";
    public static final String WAYLAND_SOCKET_PATH = "wayland_socket_path";
    public static final String BACKEND = "backend";

    // The defaults are QEMU's; the metatype annotation refers to these constants.
    public static final int DEFAULT_MAX_OUTPUTS = 1;
    public static final int DEFAULT_XRES = 1024;
    public static final int DEFAULT_YRES = 768;
    public static final boolean DEFAULT_EDID = true;
    public static final long DEFAULT_MAX_HOSTMEM = 256L << 20;

    public static final String WSI_SURFACELESS = "surfaceless";
    public static final String WSI_HEADLESS = "headless";
    public static final String BACKEND_2D = "2d";
    public static final String BACKEND_VIRGL = "virgl";
    public static final String BACKEND_RUTABAGA = "rutabaga";

    /** Upstream QEMU's boolean capset properties of {@code virtio-gpu-rutabaga}, each named as its capset. */
    public static final List<String> CAPSET_SWITCHES = CapsetIds.QEMU_SWITCHES;

    /** What {@code backend=virgl} offers without {@code capset_names}: both, as QEMU's virtio-gpu-gl. */
    static final long VIRGL_DEFAULT_CAPSETS = (1L << CapsetIds.VIRGL) | (1L << CapsetIds.VIRGL2);

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
        capsetSwitches = List.copyOf(capsetSwitches);
        require(maxOutputs >= 1 && maxOutputs <= MAX_SCANOUTS, MAX_OUTPUTS, maxOutputs, "must be 1.." + MAX_SCANOUTS);
        require(xres >= MIN_RESOLUTION && xres <= Edid.MAX_ACTIVE, XRES, xres,
                "must be " + MIN_RESOLUTION + ".." + Edid.MAX_ACTIVE);
        require(yres >= MIN_RESOLUTION && yres <= Edid.MAX_ACTIVE, YRES, yres,
                "must be " + MIN_RESOLUTION + ".." + Edid.MAX_ACTIVE);
        require(maxHostmem > 0, MAX_HOSTMEM, maxHostmem, "must be a positive number of bytes");
        require(wsi.equals(WSI_SURFACELESS) || wsi.equals(WSI_HEADLESS), WSI, wsi,
                "must be " + WSI_SURFACELESS + " or " + WSI_HEADLESS);
        require(backend.equals(BACKEND_2D) || backend.equals(BACKEND_VIRGL) || backend.equals(BACKEND_RUTABAGA),
                BACKEND, backend, "must be " + BACKEND_2D + ", " + BACKEND_VIRGL + " or " + BACKEND_RUTABAGA);
        namedCapsets(capsetNames);
        for (String s : capsetSwitches) {
            require(CAPSET_SWITCHES.contains(s), s, "on", "is not a capset switch; those are " + CAPSET_SWITCHES);
            require(backend.equals(BACKEND_RUTABAGA), s, "on", "only backend=" + BACKEND_RUTABAGA
                    + " offers it (backend is " + backend + ")");
        }
    }

    /** Without QEMU's boolean capset switches. */
    public DeviceConfig(int maxOutputs, int xres, int yres, boolean edid, long maxHostmem, String capsetNames,
            String wsi, String waylandSocketPath, String backend) {
        this(maxOutputs, xres, yres, edid, maxHostmem, capsetNames, wsi, waylandSocketPath, backend, List.of());
    }

    /** The defaults: one 1024x768 output with EDID, 256 MiB, surfaceless, the 2D backend. */
    public static DeviceConfig defaults() {
        return new DeviceConfig(DEFAULT_MAX_OUTPUTS, DEFAULT_XRES, DEFAULT_YRES, DEFAULT_EDID, DEFAULT_MAX_HOSTMEM, "",
                WSI_SURFACELESS, "", BACKEND_2D);
    }

    /**
     * Reads a configuration dictionary (ConfigAdmin's, so values may be numbers, booleans or
     * the strings of a {@code .cfg} file); a property that is absent or empty takes its default.
     */
    public static DeviceConfig fromProperties(Map<String, ?> properties) {
        List<String> switches = new ArrayList<>();
        for (String s : CAPSET_SWITCHES) {
            if (bool(properties, s, false)) {
                switches.add(s);
            }
        }
        return new DeviceConfig(integer(properties, MAX_OUTPUTS, DEFAULT_MAX_OUTPUTS),
                integer(properties, XRES, DEFAULT_XRES), integer(properties, YRES, DEFAULT_YRES),
                bool(properties, EDID, DEFAULT_EDID),
                number(properties, MAX_HOSTMEM, DEFAULT_MAX_HOSTMEM, Long.MIN_VALUE, Long.MAX_VALUE),
                text(properties, CAPSET_NAMES), text(properties, WSI), text(properties, WAYLAND_SOCKET_PATH),
                text(properties, BACKEND), switches);
    }

    public DeviceConfig withMaxOutputs(int n) {
        return new DeviceConfig(n, xres, yres, edid, maxHostmem, capsetNames, wsi, waylandSocketPath, backend,
                capsetSwitches);
    }

    public DeviceConfig withMaxHostmem(long bytes) {
        return new DeviceConfig(maxOutputs, xres, yres, edid, bytes, capsetNames, wsi, waylandSocketPath, backend,
                capsetSwitches);
    }

    public DeviceConfig withWsi(String w) {
        return new DeviceConfig(maxOutputs, xres, yres, edid, maxHostmem, capsetNames, w, waylandSocketPath, backend,
                capsetSwitches);
    }

    public DeviceConfig withEdid(boolean e) {
        return new DeviceConfig(maxOutputs, xres, yres, e, maxHostmem, capsetNames, wsi, waylandSocketPath, backend,
                capsetSwitches);
    }

    public DeviceConfig withBackend(String kind, String capsets) {
        return new DeviceConfig(maxOutputs, xres, yres, edid, maxHostmem, capsets, wsi, waylandSocketPath, kind,
                capsetSwitches);
    }

    /** This configuration's backend settings with the shape (outputs, modes, EDID, host memory) of {@code shape}. */
    public DeviceConfig withShapeOf(DeviceConfig shape) {
        return new DeviceConfig(shape.maxOutputs, shape.xres, shape.yres, shape.edid, shape.maxHostmem, capsetNames,
                wsi, waylandSocketPath, backend, capsetSwitches);
    }

    /** The same outputs, modes, EDID and host memory limit: what a driver reads at initialisation. */
    public boolean sameShape(DeviceConfig other) {
        return maxOutputs == other.maxOutputs && xres == other.xres && yres == other.yres && edid == other.edid
                && maxHostmem == other.maxHostmem;
    }

    /** The same backend kind, opened with the same settings. */
    public boolean sameBackendSettings(DeviceConfig other) {
        return backend.equals(other.backend) && backendConfig().equals(other.backendConfig());
    }

    public boolean headless() {
        return wsi.equals(WSI_HEADLESS);
    }

    /**
     * The capsets asked of the backend, rutabaga's mask (bit {@code 1 << id}): those
     * {@code capset_names} names, or without it the backend's default, decided here and only
     * here: {@code virgl} offers virgl and virgl2 (as QEMU's virtio-gpu-gl does), {@code 2d}
     * none, {@code rutabaga} none but what its boolean switches add (rutabaga's 2D component
     * when there are none).
     */
    public long capsetMask() {
        if (capsetNames.isEmpty()) {
            return backend.equals(BACKEND_VIRGL) ? VIRGL_DEFAULT_CAPSETS : 0;
        }
        return namedCapsets(capsetNames);
    }

    /**
     * What the backend is opened with: {@link #capsetMask()}, {@code wsi}, and the settings
     * the device does not interpret, by QEMU's names and as written: {@code capset_names},
     * {@code wayland_socket_path}, and each boolean capset switch that is on (as {@code on}).
     */
    public BackendConfig backendConfig() {
        Map<String, String> properties = new LinkedHashMap<>();
        if (!capsetNames.isEmpty()) {
            properties.put(CAPSET_NAMES, capsetNames);
        }
        if (!waylandSocketPath.isEmpty()) {
            properties.put(WAYLAND_SOCKET_PATH, waylandSocketPath);
        }
        for (String s : capsetSwitches) {
            properties.put(s, "on");
        }
        return new BackendConfig(capsetMask(), wsi, properties);
    }

    private static long namedCapsets(String names) {
        long mask = 0;
        if (names.isEmpty()) {
            return 0;
        }
        for (String name : names.split(":", -1)) {
            int id = CapsetIds.byName(name.trim());
            require(id > 0, CAPSET_NAMES, names, "names an unknown capset '" + name + "' (known: virgl, virgl2,"
                    + " gfxstream-vulkan, venus, cross-domain, drm, gfxstream-magma, gfxstream-gles,"
                    + " gfxstream-composer)");
            mask |= 1L << id;
        }
        return mask;
    }

    // ---- reading a dictionary ----

    /** The one value of {@code key}, or null when absent; a list or array must hold exactly one. */
    private static Object single(Map<String, ?> properties, String key) {
        Object v = properties.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Collection<?> c) {
            require(c.size() == 1, key, c, "must be a single value");
            return c.iterator().next();
        }
        if (v.getClass().isArray()) {
            List<Object> elements = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                elements.add(Array.get(v, i));
            }
            require(elements.size() == 1, key, elements, "must be a single value");
            return elements.get(0);
        }
        return v;
    }

    private static long number(Map<String, ?> properties, String key, long defaultValue, long min, long max) {
        Object v = single(properties, key);
        long n;
        if (v == null || v.toString().isBlank()) {
            return defaultValue;
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            n = ((Number) v).longValue();
        } else if (v instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw refused(key, v, "is not a whole number");
            }
        } else {
            throw refused(key, v, "is not a whole number");
        }
        require(n >= min && n <= max, key, v, "is out of range");
        return n;
    }

    private static int integer(Map<String, ?> properties, String key, int defaultValue) {
        return (int) number(properties, key, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    private static boolean bool(Map<String, ?> properties, String key, boolean defaultValue) {
        Object v = single(properties, key);
        if (v == null || v.toString().isBlank()) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
            case "true": case "on": case "yes":
                return true;
            case "false": case "off": case "no":
                return false;
            default:
                throw refused(key, v, "is not a boolean (true or false)");
        }
    }

    private static String text(Map<String, ?> properties, String key) {
        Object v = single(properties, key);
        return v == null ? "" : v.toString();
    }

    private static void require(boolean ok, String property, Object value, String rule) {
        if (!ok) {
            throw refused(property, value, rule);
        }
    }

    private static IllegalArgumentException refused(String property, Object value, String rule) {
        return new IllegalArgumentException("configuration property " + property + "=" + value + " refused: " + rule);
    }
}
