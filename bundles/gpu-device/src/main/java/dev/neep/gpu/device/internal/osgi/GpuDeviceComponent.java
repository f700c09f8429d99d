package dev.neep.gpu.device.internal.osgi;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.device.GpuDeviceInfo;
import dev.neep.gpu.device.GpuDisplayControl;
import dev.neep.gpu.device.internal.DeviceConfig;
import dev.neep.gpu.device.internal.GpuDevice;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.Virtqueue;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DS shell of {@link GpuDevice}: configuration from PID {@value GpuDeviceConfig#PID}, the
 * backend provider chosen by the {@code backend} property (see {@link BackendTargetPlugin}),
 * every display sink bound dynamically. Registered as a {@code dev.neep.virtio.VirtioDevice}
 * with {@code virtio.device.id=16} for the transports, and as {@link GpuDeviceInfo} and
 * {@link GpuDisplayControl}.
 *
 * <p>A configuration change restarts the device (a new instance for the transports to bind);
 * a provider that replaces the bound one (greedy binding: a higher ranking, or the old one
 * leaving while another matches) is swapped in while the device runs.
 */
@Component(configurationPid = GpuDeviceConfig.PID, immediate = true,
        service = {VirtioDevice.class, GpuDeviceInfo.class, GpuDisplayControl.class},
        property = "virtio.device.id:Integer=" + GpuDevice.DEVICE_ID)
@Designate(ocd = GpuDeviceConfig.class)
public final class GpuDeviceComponent implements VirtioDevice, GpuDeviceInfo, GpuDisplayControl {

    private static final Logger LOG = LoggerFactory.getLogger(GpuDeviceComponent.class);

    private final Object lock = new Object();
    private final Set<DisplaySink> sinks = new LinkedHashSet<>();
    private GpuBackendProvider provider;
    private volatile GpuDevice device;

    @Activate
    void activate(GpuDeviceConfig c) {
        DeviceConfig config;
        try {
            config = new DeviceConfig(c.max__outputs(), c.xres(), c.yres(), c.edid(), c.max__hostmem(),
                    c.capset__names(), c.wsi(), c.wayland__socket__path(), c.backend());
        } catch (IllegalArgumentException e) {
            LOG.error("virtio-gpu device not started: {}", e.getMessage());
            throw e;
        }
        GpuDevice d = new GpuDevice(config, System.getenv());
        synchronized (lock) {
            try {
                d.useProvider(provider);
            } catch (GpuBackendException e) {
                d.close();
                String message = "virtio-gpu device not started: backend '" + config.backend() + "' did not open: "
                        + e.getMessage();
                LOG.error(message);
                throw new IllegalStateException(message, e);
            }
            sinks.forEach(d::addSink);
            device = d;
        }
        LOG.info("virtio-gpu device started: {} output(s) {}x{}, backend {}, features 0x{}", config.maxOutputs(),
                config.xres(), config.yres(), config.backend(), Long.toHexString(d.deviceFeatures()));
    }

    @Deactivate
    void deactivate() {
        GpuDevice d;
        synchronized (lock) {
            d = device;
            device = null;
        }
        if (d != null) {
            d.close();
        }
    }

    @Reference(name = "backend", policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(" + GpuBackendProvider.BACKEND_PROPERTY + "=" + DeviceConfig.BACKEND_2D + ")")
    void bindBackend(GpuBackendProvider p) {
        synchronized (lock) {
            provider = p;
            GpuDevice d = device;
            if (d != null) {
                try {
                    d.useProvider(p);
                } catch (GpuBackendException e) {
                    // logged by the device; it answers RESP_ERR_UNSPEC until a provider opens
                }
            }
        }
    }

    void unbindBackend(GpuBackendProvider p) {
        synchronized (lock) {
            if (provider != p) {
                return; // already replaced by a better one
            }
            provider = null;
            GpuDevice d = device;
            if (d != null) {
                d.dropProvider(p);
            }
        }
    }

    @Reference(name = "sink", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSink(DisplaySink sink) {
        synchronized (lock) {
            sinks.add(sink);
            GpuDevice d = device;
            if (d != null) {
                d.addSink(sink);
            }
        }
    }

    void unbindSink(DisplaySink sink) {
        synchronized (lock) {
            sinks.remove(sink);
            GpuDevice d = device;
            if (d != null) {
                d.removeSink(sink);
            }
        }
    }

    private GpuDevice device() {
        GpuDevice d = device;
        if (d == null) {
            throw new IllegalStateException("the virtio-gpu device is not active");
        }
        return d;
    }

    // ---- VirtioDevice ----

    @Override
    public int deviceId() {
        return GpuDevice.DEVICE_ID;
    }

    @Override
    public long deviceFeatures() {
        return device().deviceFeatures();
    }

    @Override
    public int queueCount() {
        return device().queueCount();
    }

    @Override
    public int maxQueueSize(int queueIndex) {
        return device().maxQueueSize(queueIndex);
    }

    @Override
    public int configSize() {
        return device().configSize();
    }

    @Override
    public void readConfig(int offset, byte[] dst) {
        device().readConfig(offset, dst);
    }

    @Override
    public void writeConfig(int offset, byte[] src) {
        device().writeConfig(offset, src);
    }

    @Override
    public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues, Interrupts interrupts) {
        device().activate(driverFeatures, memory, queues, interrupts);
    }

    @Override
    public void queueNotify(int queueIndex) {
        device().queueNotify(queueIndex);
    }

    @Override
    public void reset() {
        device().reset();
    }

    // ---- GpuDeviceInfo, GpuDisplayControl ----

    @Override
    public int resourceCount() {
        return device().resourceCount();
    }

    @Override
    public int contextCount() {
        return device().contextCount();
    }

    @Override
    public long hostMemoryUsed() {
        return device().hostMemoryUsed();
    }

    @Override
    public long hostMemoryLimit() {
        return device().hostMemoryLimit();
    }

    @Override
    public int parkedFences() {
        return device().parkedFences();
    }

    @Override
    public int sinkCount() {
        return device().sinkCount();
    }

    @Override
    public String backendKind() {
        return device().backendKind();
    }

    @Override
    public boolean active() {
        return device().active();
    }

    @Override
    public void setDisplayMode(int output, int width, int height) {
        device().setDisplayMode(output, width, height);
    }
}
