package dev.neep.gpu.device.internal;

import dev.neep.gpu.device.DeviceConfig;
import dev.neep.virtio.OnceLog;
import java.util.Arrays;

/**
 * The device's outputs ({@code max_outputs} of them): for each, the mode offered to the
 * guest (0 x 0: disconnected), what its scanout shows (null: disabled) and its cursor image.
 * Showing and disabling keep each resource's {@code scanoutMask} and the sinks up to date, and
 * give each state shown its {@link ScanoutView}, retired when the scanout stops showing it.
 *
 * <p>Confined to the device thread.
 */
final class Scanouts {
    private final ResourceTable resources;
    private final SinkHub sinks;
    private final PixelSeqlock seqlock;
    private final OnceLog log;
    private int xres;
    private int yres;
    private ScanoutState[] states;
    private ScanoutView[] views;
    private CursorPicture[] cursors;
    private int[] modeWidth;
    private int[] modeHeight;

    Scanouts(DeviceConfig config, ResourceTable resources, SinkHub sinks, PixelSeqlock seqlock, OnceLog log) {
        this.log = log;
        this.resources = resources;
        this.sinks = sinks;
        this.seqlock = seqlock;
        shape(config);
    }

    private void shape(DeviceConfig config) {
        int n = config.maxOutputs();
        xres = config.xres();
        yres = config.yres();
        states = new ScanoutState[n];
        views = new ScanoutView[n];
        cursors = new CursorPicture[n];
        modeWidth = new int[n];
        modeHeight = new int[n];
        resetModes();
    }

    /**
     * Takes the outputs of {@code next}; the caller has disabled every scanout first. A new
     * shape (outputs or preferred mode) starts every output over at the configured mode;
     * otherwise modes a front end set are kept.
     */
    void reconfigure(DeviceConfig next) {
        if (next.maxOutputs() != states.length || next.xres() != xres || next.yres() != yres) {
            shape(next);
        }
    }

    /** {@code max_outputs}. */
    int count() {
        return states.length;
    }

    /** What scanout {@code i} shows, or null when it is disabled. */
    ScanoutState state(int i) {
        return states[i];
    }

    /** How the sinks read what scanout {@code i} shows, or null when it is disabled. */
    ScanoutView view(int i) {
        return views[i];
    }

    /** The mode output {@code i} offers (0 x 0: disconnected). */
    int modeWidth(int i) {
        return modeWidth[i];
    }

    int modeHeight(int i) {
        return modeHeight[i];
    }

    /** The configured preferred mode, which a disconnected output's EDID still describes. */
    int xres() {
        return xres;
    }

    int yres() {
        return yres;
    }

    /** Puts every output back at the configured mode. */
    void resetModes() {
        Arrays.fill(modeWidth, xres);
        Arrays.fill(modeHeight, yres);
    }

    /**
     * Sets output {@code output}'s mode; 0 x 0 disconnects it. Returns whether it changed (the
     * caller then raises VIRTIO_GPU_EVENT_DISPLAY).
     */
    boolean setMode(int output, int width, int height) {
        if (output < 0 || output >= modeWidth.length) {
            throw new IllegalArgumentException("output " + output + " outside 0.." + (modeWidth.length - 1));
        }
        boolean off = width == 0 && height == 0;
        if (!off && (width < DeviceConfig.MIN_RESOLUTION || width > Edid.MAX_ACTIVE
                || height < DeviceConfig.MIN_RESOLUTION || height > Edid.MAX_ACTIVE)) {
            throw new IllegalArgumentException("mode " + width + "x" + height + " outside "
                    + DeviceConfig.MIN_RESOLUTION + ".." + Edid.MAX_ACTIVE);
        }
        boolean changed = modeWidth[output] != width || modeHeight[output] != height;
        modeWidth[output] = width;
        modeHeight[output] = height;
        return changed;
    }

    /** Scanout {@code i} shows {@code state} of {@code res}; the resource it showed before no longer is shown there. */
    void show(int i, Resource res, ScanoutState state) {
        ScanoutState old = states[i];
        if (old != null && old.resourceId() != res.id) {
            Resource previous = resources.get(old.resourceId());
            if (previous != null) {
                previous.scanoutMask &= ~(1 << i);
            }
        }
        res.scanoutMask |= 1 << i;
        states[i] = state;
        if (!state.equals(old)) {
            if (views[i] != null) {
                views[i].retire();
            }
            views[i] = new ScanoutView(seqlock, log);
            sinks.scanoutChanged(i, state.toScanout());
        }
    }

    void disable(int i) {
        ScanoutState old = states[i];
        if (old == null) {
            return;
        }
        Resource res = resources.get(old.resourceId());
        if (res != null) {
            res.scanoutMask &= ~(1 << i);
        }
        states[i] = null;
        views[i].retire();
        views[i] = null;
        sinks.scanoutChanged(i, null);
    }

    /** Disables every scanout that shows {@code res}. */
    void disableShowing(Resource res) {
        for (int i = 0; i < states.length; i++) {
            if ((res.scanoutMask & (1 << i)) != 0) {
                disable(i);
            }
        }
    }

    /** Cursor {@code i}'s picture, or null when it is hidden. */
    CursorPicture cursor(int i) {
        return cursors[i];
    }

    /** Shows {@code picture} as cursor {@code i} (null hides it), taking over its hold; the one it replaces is let go. */
    void defineCursor(int i, CursorPicture picture) {
        CursorPicture old = cursors[i];
        cursors[i] = picture;
        sinks.cursorDefined(i, picture);
        if (old != null) {
            old.release();
        }
    }

    /** Disables every scanout and hides every cursor shown. */
    void clear() {
        for (int i = 0; i < states.length; i++) {
            disable(i);
            if (cursors[i] != null) {
                defineCursor(i, null);
            }
        }
    }
}
