package dev.neep.display.window.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.CursorImage;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.osgi.framework.BundleContext;

/** The window sink where the JVM has no display, as in CI; {@link WindowOnXvfbTest} has one. */
public class WindowDisplayTest {

    @Test
    public void withoutADisplayTheSinkGivesUpOnceAndDropsEverything() throws Exception {
        assumeTrue("this JVM has a display; the headless path is not reachable", GraphicsEnvironment.isHeadless());
        WindowDisplay display = new WindowDisplay(WindowSettings.from(TypedConfiguration.read(WindowDisplayConfig.class, Map.of())));
        display.scanoutChanged(Pictures.id(0), new Scanout(1, Formats.B8G8R8X8_UNORM, 0, 0, 4, 4));
        display.frameUpdated(Pictures.id(0), new Rect(0, 0, 4, 4), Pixels.of(Pictures.solid(4, 4, 0xff112233)));
        EventQueue.invokeAndWait(() -> { });
        assertTrue("a window could not be made", display.broken());
        // Nothing that follows throws or reaches the event dispatch thread.
        display.frameUpdated(Pictures.id(0), new Rect(0, 0, 4, 4), Pixels.of(Pictures.solid(4, 4, 0xff112233)));
        display.cursorDefined(Pictures.id(0), new CursorImage(1, 1, 0, 0, new int[1]));
        display.cursorMoved(Pictures.id(0), 1, 1);
        display.scanoutChanged(Pictures.id(0), null);
        display.close();
    }

    @Test
    public void headlessComponentRegistersNoSink() {
        assumeTrue("this JVM has a display; the headless path is not reachable", GraphicsEnvironment.isHeadless());
        List<String> calls = new ArrayList<>();
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    calls.add(method.getName());
                    return null;
                });
        WindowDisplayComponent component = new WindowDisplayComponent();
        component.activate(context, Map.of("scale", 2));
        component.deactivate();
        assertEquals("no service registered", List.of(), calls);
    }

    @Test
    public void badConfigurationIsRefusedEvenWithoutADisplay() {
        try {
            new WindowDisplayComponent().activate(null, Map.of("scale", "huge"));
            fail("activated with scale huge");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("scale=huge"));
        }
    }

    @Test
    public void headlessReasonNamesTheCause() {
        String reason = WindowDisplayComponent.headlessReason();
        assertTrue(reason, reason.contains("DISPLAY") || reason.contains("java.awt.headless"));
    }
}
