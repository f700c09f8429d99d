package dev.neep.backend.support;

import dev.neep.config.support.ConfigurationRefused;

/**
 * QEMU's {@code wsi}, the window-system integration: {@value #SURFACELESS} gives the display
 * sinks the scanouts' pixels, {@value #HEADLESS} only their geometry (for runs that need no
 * pixels). The renderers draw surfaceless either way.
 */
public final class Wsi {

    /** The property's name, QEMU's. */
    public static final String PROPERTY = "wsi";
    public static final String SURFACELESS = "surfaceless";
    public static final String HEADLESS = "headless";

    private Wsi() {
    }

    /**
     * Whether {@code value} is {@value #HEADLESS}.
     *
     * @throws ConfigurationRefused naming {@code pid}, the property and the value for anything
     *         but the two
     */
    public static boolean headless(String pid, String value) {
        switch (value.trim()) {
            case SURFACELESS:
                return false;
            case HEADLESS:
                return true;
            default:
                throw new ConfigurationRefused(pid, PROPERTY, value, "must be " + SURFACELESS + " or " + HEADLESS);
        }
    }
}
