package dev.neep.display.headless;

import dev.neep.gpu.api.Scanout;

/**
 * One scanout as the sink saw it: {@code frames} frame updates so far, the geometry last set
 * ({@code null} while disabled or never set), the cursor position last reported, and the facts
 * of the last frame ({@code null} before the first).
 */
public record ScanoutStats(int scanoutId, long frames, Scanout scanout, FrameFacts lastFrame, int cursorX,
        int cursorY) {
}
