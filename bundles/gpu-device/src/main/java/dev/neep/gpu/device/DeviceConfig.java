package dev.neep.gpu.device;

import dev.neep.config.support.ConfigurationRefused;

/**
 * The device's settings, by QEMU's property names, checked once: every value out of range is
 * refused with a {@link ConfigurationRefused} naming the property and the value, so a bad
 * configuration fails loudly instead of half-working.
 *
 * <p>These are the device's <em>shape</em>, what a driver reads when it initialises the device.
 * The backend is not among them: in a framework the DS reference target chooses it, embedded
 * it is the provider given to {@link VirtioGpu}, and everything about the backend (its capsets,
 * window-system integration, libraries) is in the backend's own configuration: the device
 * knows no backend by name. In a framework the record is read from configuration {@value #PID}.
 *
 * @param maxOutputs {@code max_outputs}: scanouts, 1..16
 * @param xres       {@code xres}: preferred width of every output
 * @param yres       {@code yres}: preferred height of every output
 * @param edid       {@code edid}: offer VIRTIO_GPU_F_EDID and answer GET_EDID
 * @param maxHostmem {@code max_hostmem}: bytes of host memory guest resources may use
 * @param hostmem    {@code hostmem}: bytes of the host-visible shared memory region (id 1) that
 *                   RESOURCE_MAP_BLOB maps host blobs into; 0 for none, and then no host blob
 *                   can be mapped. A power of two of at least one page, because a PCI BAR is one.
 */
public record DeviceConfig(int maxOutputs, int xres, int yres, boolean edid, long maxHostmem, long hostmem) {

    /** The configuration PID of the device. */
    public static final String PID = "dev.neep.gpu";

    /** VIRTIO_GPU_MAX_SCANOUTS: GET_DISPLAY_INFO has room for 16. */
    public static final int MAX_SCANOUTS = 16;
    /** The smallest mode SET_SCANOUT accepts (QEMU's rule), so also the smallest output. */
    public static final int MIN_RESOLUTION = 16;
    /** The largest width or height of an output: an EDID detailed timing has 12 bits for each. */
    public static final int MAX_RESOLUTION = 4095;

    public static final String MAX_OUTPUTS = "max_outputs";
    public static final String XRES = "xres";
    public static final String YRES = "yres";
    public static final String MAX_HOSTMEM = "max_hostmem";
    public static final String HOSTMEM = "hostmem";
    /** The smallest host-visible region: one host page. */
    public static final long MIN_HOSTMEM = 4096;

    // The defaults are QEMU's; the metatype annotation refers to these constants.
    public static final int DEFAULT_MAX_OUTPUTS = 1;
    public static final int DEFAULT_XRES = 1024;
    public static final int DEFAULT_YRES = 768;
    public static final boolean DEFAULT_EDID = true;
    public static final long DEFAULT_MAX_HOSTMEM = 256L << 20;
    public static final long DEFAULT_HOSTMEM = 0;

    public DeviceConfig {
        require(maxOutputs >= 1 && maxOutputs <= MAX_SCANOUTS, MAX_OUTPUTS, maxOutputs, "must be 1.." + MAX_SCANOUTS);
        require(xres >= MIN_RESOLUTION && xres <= MAX_RESOLUTION, XRES, xres,
                "must be " + MIN_RESOLUTION + ".." + MAX_RESOLUTION);
        require(yres >= MIN_RESOLUTION && yres <= MAX_RESOLUTION, YRES, yres,
                "must be " + MIN_RESOLUTION + ".." + MAX_RESOLUTION);
        require(maxHostmem > 0, MAX_HOSTMEM, maxHostmem, "must be a positive number of bytes");
        require(hostmem == 0 || (hostmem >= MIN_HOSTMEM && Long.bitCount(hostmem) == 1), HOSTMEM, hostmem,
                "must be 0 (no host-visible region) or a power of two of at least " + MIN_HOSTMEM + " bytes");
    }

    /** Without a host-visible region ({@code hostmem} 0). */
    public DeviceConfig(int maxOutputs, int xres, int yres, boolean edid, long maxHostmem) {
        this(maxOutputs, xres, yres, edid, maxHostmem, DEFAULT_HOSTMEM);
    }

    /** The defaults: one 1024x768 output with EDID, 256 MiB, no host-visible region. */
    public static DeviceConfig defaults() {
        return new DeviceConfig(DEFAULT_MAX_OUTPUTS, DEFAULT_XRES, DEFAULT_YRES, DEFAULT_EDID, DEFAULT_MAX_HOSTMEM);
    }

    public DeviceConfig withMaxOutputs(int n) {
        return new DeviceConfig(n, xres, yres, edid, maxHostmem, hostmem);
    }

    public DeviceConfig withMaxHostmem(long bytes) {
        return new DeviceConfig(maxOutputs, xres, yres, edid, bytes, hostmem);
    }

    public DeviceConfig withEdid(boolean e) {
        return new DeviceConfig(maxOutputs, xres, yres, e, maxHostmem, hostmem);
    }

    public DeviceConfig withHostmem(long bytes) {
        return new DeviceConfig(maxOutputs, xres, yres, edid, maxHostmem, bytes);
    }

    private static void require(boolean ok, String property, Object value, String rule) {
        if (!ok) {
            throw new ConfigurationRefused(PID, property, value, rule);
        }
    }
}
