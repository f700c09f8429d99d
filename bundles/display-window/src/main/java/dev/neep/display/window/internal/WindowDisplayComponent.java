package dev.neep.display.window.internal;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.DisplaySink;
import java.awt.GraphicsEnvironment;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The window sink. It registers its {@link DisplaySink} itself, and only where the JVM can show
 * windows: a headless JVM (no DISPLAY, or {@code -Djava.awt.headless=true}) gets a log line
 * saying so and no sink, so that devices do not copy pixels for nothing and the component is
 * still active rather than failed. It runs only once its configuration exists (an empty one
 * takes the defaults), so no window opens that nobody asked for; a bad value makes
 * activation fail with a message naming the property and the value.
 */
@Component(service = {}, immediate = true, configurationPid = WindowDisplayConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "neep.status.may.wait=opens only when configuration " + WindowDisplayConfig.PID + " exists")
@Designate(ocd = WindowDisplayConfig.class)
@WindowDisplayConfig
public final class WindowDisplayComponent {
    private static final Logger LOG = LoggerFactory.getLogger(WindowDisplayComponent.class);

    private WindowDisplay display;
    private ServiceRegistration<DisplaySink> registration;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        WindowSettings settings = WindowSettings.from(TypedConfiguration.read(WindowDisplayConfig.class, properties));
        if (GraphicsEnvironment.isHeadless()) {
            LOG.info("no window display: this JVM is headless ({}); set DISPLAY to an X server, or use the web"
                    + " display", headlessReason());
            return;
        }
        display = new WindowDisplay(settings);
        registration = context.registerService(DisplaySink.class, display, null);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        if (display != null) {
            display.close();
            display = null;
        }
    }

    static String headlessReason() {
        if (Boolean.getBoolean("java.awt.headless")) {
            return "java.awt.headless=true";
        }
        String display = System.getenv("DISPLAY");
        return display == null || display.isEmpty() ? "DISPLAY is not set" : "no usable display at DISPLAY=" + display;
    }
}
