package dev.neep.display.web.internal;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.display.support.ForwardingDisplaySink;
import dev.neep.gpu.api.DisplaySink;
import java.util.Hashtable;
import java.util.Map;
import javax.servlet.Servlet;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The web viewer as a service. It runs only when configuration {@value WebDisplayConfig#PID}
 * exists (an empty one takes the defaults): the guest's screen is shown on request, never
 * because the bundle happens to be installed. Its pages are a servlet registered with the OSGi
 * HTTP Whiteboard, so the HTTP service says where they are reachable. A bad value makes
 * activation fail with a message naming the property and the value; a changed configuration
 * restarts the viewer. Immediate, so that the page is there as soon as it is configured, before
 * any device binds the sink.
 */
@Component(service = DisplaySink.class, configurationPid = WebDisplayConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        property = "neep.status.may.wait=serves only when configuration " + WebDisplayConfig.PID + " exists")
@Designate(ocd = WebDisplayConfig.class)
@WebDisplayConfig
public final class WebDisplayComponent extends ForwardingDisplaySink {
    private WebViewer viewer;
    private ServiceRegistration<Servlet> servlet;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        WebSettings settings = WebSettings.from(TypedConfiguration.read(WebDisplayConfig.class, properties));
        viewer = new WebViewer(settings.minIntervalMs());
        Hashtable<String, Object> whiteboard = new Hashtable<>();
        whiteboard.put("osgi.http.whiteboard.servlet.pattern", "/");
        whiteboard.put("osgi.http.whiteboard.servlet.name", "neep-web-viewer");
        servlet = context.registerService(Servlet.class, new ViewerServlet(viewer, settings.host()), whiteboard);
    }

    @Deactivate
    void deactivate() {
        servlet.unregister();
        viewer.close();
    }

    @Override
    protected DisplaySink sink() {
        return viewer;
    }
}
