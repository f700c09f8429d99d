package dev.neep.display.png.internal;

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
 * The PNG sink as a service, only once its configuration exists (an empty one takes the
 * defaults): nothing writes files nobody asked for. A bad value makes
 * activation fail with a message naming the property and the value, and a changed
 * configuration restarts the sink. Deactivation flushes pending snapshots (see
 * {@link PngSnapshots#close()}).
 */
@Component(service = DisplaySink.class, configurationPid = PngDisplayConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "neep.status.may.wait=writes only when configuration " + PngDisplayConfig.PID + " exists")
@Designate(ocd = PngDisplayConfig.class)
@PngDisplayConfig
public final class PngDisplayComponent extends ForwardingDisplaySink {
    private PngSnapshots snapshots;

    @Activate
    void activate(Map<String, Object> properties) {
        snapshots = PngSnapshots.start(PngSettings.from(TypedConfiguration.read(PngDisplayConfig.class, properties)));
    }

    @Deactivate
    void deactivate() {
        snapshots.close();
    }

    @Override
    protected DisplaySink sink() {
        return snapshots;
    }
}
