package dev.neep.vhostuser.gpu.internal;

import java.io.IOException;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.device.GpuDisplayControl;
import dev.neep.vhostuser.VhostUserServer;
import dev.neep.vhostuser.gpu.DisplayChannelListener;
import dev.neep.vhostuser.gpu.VhostUserGpu;
import dev.neep.virtio.VirtioDevice;

/**
 * Runs a {@link VhostUserServer} for the configured virtio GPU device, with the
 * {@link VhostUserGpu} extension, and registers each front end's display channel as a
 * {@link DisplaySink} service while it is up. The device service is also gpu-device's
 * {@link GpuDisplayControl} (one object registered under both), and through it the front end's
 * channel answers the guest's GET_DISPLAY_INFO and GET_EDID; a device that is not leaves the
 * geometry to its own configuration (logged).
 */
@Component(configurationPid = VhostUserConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = VhostUserConfig.class)
@VhostUserConfig
public final class VhostUserComponent implements DisplayChannelListener {

    private static final Logger LOG = LoggerFactory.getLogger(VhostUserComponent.class);

    private final BundleContext context;
    private final Map<DisplaySink, ServiceRegistration<DisplaySink>> sinks = new HashMap<>();
    private final VhostUserServer server;

    @Activate
    public VhostUserComponent(BundleContext context,
            @Reference(name = "device", target = "(virtio.device.id=16)") VirtioDevice device,
            Map<String, Object> properties) throws IOException {
        this.context = context;
        VhostUserSettings settings = VhostUserSettings.from(TypedConfiguration.read(VhostUserConfig.class, properties));
        VhostUserGpu gpu;
        if (device instanceof GpuDisplayControl displays) {
            gpu = new VhostUserGpu(this, displays);
        } else {
            LOG.warn("the served device {} takes no display geometry from the front end: the guest gets the device's"
                    + " own modes", device.getClass().getName());
            gpu = new VhostUserGpu(this);
        }
        VhostUserServer s = settings.socketPath() == null ? VhostUserServer.inherit(settings.fd(), device, gpu)
                : VhostUserServer.listen(settings.socketPath(), device, gpu);
        this.server = s.start();
    }

    @Deactivate
    void deactivate() {
        server.close();
        synchronized (sinks) {
            sinks.values().forEach(VhostUserComponent::unregister);
            sinks.clear();
        }
    }

    @Override
    public void channelUp(DisplaySink sink, Map<String, Object> properties) {
        ServiceRegistration<DisplaySink> registration = context.registerService(DisplaySink.class, sink,
                new Hashtable<>(properties));
        synchronized (sinks) {
            sinks.put(sink, registration);
        }
    }

    @Override
    public void channelDown(DisplaySink sink) {
        ServiceRegistration<DisplaySink> registration;
        synchronized (sinks) {
            registration = sinks.remove(sink);
        }
        if (registration != null) {
            unregister(registration);
        }
    }

    private static void unregister(ServiceRegistration<DisplaySink> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // already gone with the bundle
            LOG.debug("display sink already unregistered: {}", e.getMessage());
        }
    }
}
