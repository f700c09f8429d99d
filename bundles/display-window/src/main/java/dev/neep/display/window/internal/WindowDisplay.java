package dev.neep.display.window.internal;

import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.awt.Dimension;
import java.awt.EventQueue;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.WindowConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows each scanout in a window of its own.
 *
 * <p>The device's thread hands each update to the scanout's {@link ScanoutScreen} and, when the
 * screen asks for it, posts one refresh to Swing's event dispatch thread with
 * {@link EventQueue#invokeLater}; it never waits for that thread. Updates arriving before the
 * refresh runs are folded into it. Windows are made on the event dispatch thread when a scanout
 * first has something to show, hidden while it is disabled, and shown again when it is set again,
 * also after the user closed them.
 *
 * <p>If a window cannot be made (no display, or the display went away) that is logged once, and
 * the sink drops everything from then on.
 */
final class WindowDisplay implements DisplaySink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WindowDisplay.class);
    private static final long CLOSE_WAIT_MS = 5_000;

    private final WindowSettings settings;
    private final Map<ScanoutId, ScanoutScreen> screens = new ConcurrentHashMap<>();
    private final Set<String> refusedFormats = ConcurrentHashMap.newKeySet();
    /** Event dispatch thread only. */
    private final Map<ScanoutId, ScreenWindow> windows = new HashMap<>();
    private volatile boolean closed;
    /** Set once when a window cannot be made; from then on nothing is shown. */
    private volatile boolean broken;

    WindowDisplay(WindowSettings settings) {
        this.settings = settings;
    }

    @Override
    public void scanoutChanged(ScanoutId scanoutId, Scanout scanout) {
        if (live() && screen(scanoutId).scanout(scanout)) {
            refreshLater(scanoutId);
        }
    }

    @Override
    public void frameUpdated(ScanoutId scanoutId, Rect dirty, Pixels pixels) {
        if (!live()) {
            return;
        }
        if (!Formats.isSupported2d(pixels.format())) {
            if (refusedFormats.add(scanoutId + " " + pixels.format())) {
                LOG.warn("scanout {}: frames in format {} cannot be shown; they are dropped", scanoutId,
                        Formats.name(pixels.format()));
            }
            return;
        }
        if (screen(scanoutId).frame(pixels, dirty)) {
            refreshLater(scanoutId);
        }
    }

    @Override
    public void cursorDefined(ScanoutId scanoutId, CursorImage cursor) {
        if (!live()) {
            return;
        }
        boolean ask;
        try {
            ask = screen(scanoutId).cursor(cursor);
        } catch (IllegalArgumentException e) {
            LOG.warn("scanout {}: cannot show {}; hiding the cursor", scanoutId, e.getMessage());
            ask = screen(scanoutId).cursor(null);
        }
        if (ask) {
            refreshLater(scanoutId);
        }
    }

    @Override
    public void cursorMoved(ScanoutId scanoutId, int x, int y) {
        if (live() && screen(scanoutId).moveCursor(x, y)) {
            refreshLater(scanoutId);
        }
    }

    /** Closes every window; waits a bounded time for the event dispatch thread to do it. */
    @Override
    public void close() {
        closed = true;
        if (EventQueue.isDispatchThread()) {
            disposeAll();
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        EventQueue.invokeLater(() -> {
            try {
                disposeAll();
            } finally {
                done.countDown();
            }
        });
        try {
            if (!done.await(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("windows not closed {} ms after close: the event dispatch thread is busy", CLOSE_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether showing has failed for good (logged when it happened). */
    boolean broken() {
        return broken;
    }

    /**
     * Where scanout {@code scanoutId}'s picture is on the screen, or {@code null} while its window
     * is not showing. For tests that look at the screen.
     */
    Rectangle pictureOnScreen(ScanoutId scanoutId) throws InterruptedException, InvocationTargetException {
        Rectangle[] r = new Rectangle[1];
        EventQueue.invokeAndWait(() -> {
            ScreenWindow w = windows.get(scanoutId);
            if (w != null && w.panel.isShowing()) {
                Point p = w.panel.getLocationOnScreen();
                r[0] = new Rectangle(p, w.panel.getSize());
            }
        });
        return r[0];
    }

    private boolean live() {
        return !closed && !broken;
    }

    private ScanoutScreen screen(ScanoutId scanoutId) {
        return screens.computeIfAbsent(scanoutId, id -> new ScanoutScreen());
    }

    private void refreshLater(ScanoutId scanoutId) {
        EventQueue.invokeLater(() -> refresh(scanoutId));
    }

    /** Event dispatch thread. */
    private void refresh(ScanoutId scanoutId) {
        if (!live()) {
            return;
        }
        ScanoutScreen screen = screens.get(scanoutId);
        ScanoutScreen.Flushed flushed = screen.flush();
        ScreenWindow window = windows.get(scanoutId);
        if (window == null) {
            if (!screen.enabled()) {
                return;
            }
            try {
                window = new ScreenWindow(scanoutId, screen);
            } catch (RuntimeException | Error e) {
                // HeadlessException, or AWTError when the display cannot be opened.
                broken = true;
                LOG.error("cannot open a window for scanout {}; the window display shows nothing from now on",
                        scanoutId, e);
                return;
            }
            windows.put(scanoutId, window);
        }
        window.update(flushed);
    }

    /** Event dispatch thread. */
    private void disposeAll() {
        for (ScreenWindow w : windows.values()) {
            w.frame.dispose();
        }
        windows.clear();
    }

    /** One scanout's window; event dispatch thread only. */
    private final class ScreenWindow {
        final ScanoutId scanoutId;
        final ScanoutScreen screen;
        final JFrame frame;
        final JComponent panel;
        /** The user closed the window: it stays hidden until the scanout is set again. */
        boolean userClosed;

        ScreenWindow(ScanoutId scanoutId, ScanoutScreen screen) {
            this.scanoutId = scanoutId;
            this.screen = screen;
            this.panel = new JComponent() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void paintComponent(Graphics g) {
                    g.setColor(java.awt.Color.BLACK);
                    g.fillRect(0, 0, getWidth(), getHeight());
                    screen.paint((Graphics2D) g, settings.scale());
                }
            };
            panel.setOpaque(true);
            this.frame = new JFrame();
            frame.setDefaultCloseOperation(WindowConstants.HIDE_ON_CLOSE);
            frame.addWindowListener(new WindowAdapter() {
                @Override
                public void windowClosing(WindowEvent e) {
                    userClosed = true;
                }
            });
            frame.setContentPane(panel);
            frame.setResizable(false);
        }

        void update(ScanoutScreen.Flushed flushed) {
            if (!screen.enabled()) {
                frame.setVisible(false);
                return;
            }
            if (flushed.geometry()) {
                Dimension size = screen.size();
                frame.setTitle(settings.title() + " \u2014 scanout " + scanoutId + " (" + size.width + "\u00d7"
                        + size.height + ")");
                Dimension scaled = new Dimension((int) Math.ceil(size.width * settings.scale()),
                        (int) Math.ceil(size.height * settings.scale()));
                if (!scaled.equals(panel.getPreferredSize())) {
                    panel.setPreferredSize(scaled);
                    frame.pack();
                }
                userClosed = false;
            }
            if (!frame.isVisible() && !userClosed) {
                frame.setVisible(true);
            }
            if (flushed.any()) {
                panel.repaint();
            }
        }
    }
}
