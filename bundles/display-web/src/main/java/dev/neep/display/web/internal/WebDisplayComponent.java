package dev.neep.display.web.internal;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.display.support.ForwardingDisplaySink;
import dev.neep.gpu.api.DisplaySink;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The web viewer as a service. It runs only when configuration {@value WebDisplayConfig#PID}
 * exists (an empty one takes the defaults): a port that shows the guest's screen is opened on
 * request, never because the bundle happens to be installed, and two runtimes on one machine
 * do not fight over the default port. A bad value, or an address and port that cannot be
 * listened on, makes activation fail with a message naming the property and the value; a
 * changed configuration restarts the viewer. Immediate, so that the page is there as soon as
 * it is configured, before any device binds the sink.
 */
@Component(service = DisplaySink.class, configurationPid = WebDisplayConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        property = "neep.status.may.wait=serves only when configuration " + WebDisplayConfig.PID + " exists")
@Designate(ocd = WebDisplayConfig.class)
@WebDisplayConfig
public final class WebDisplayComponent extends ForwardingDisplaySink {
    private WebViewer viewer;

    @Activate
    void activate(Map<String, Object> properties) {
        viewer = WebViewer.start(WebSettings.from(TypedConfiguration.read(WebDisplayConfig.class, properties)));
    }

    @Deactivate
    void deactivate() {
        viewer.close();
    }

    @Override
    protected DisplaySink sink() {
        return viewer;
    }
}
