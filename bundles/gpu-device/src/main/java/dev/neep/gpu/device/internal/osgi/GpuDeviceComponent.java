package dev.neep.gpu.device.internal.osgi;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.device.GpuDeviceInfo;
import dev.neep.gpu.device.GpuDisplayControl;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.FrontEndDisplays;
import dev.neep.gpu.device.VgaScanout;
import dev.neep.gpu.device.internal.GpuDevice;
import dev.neep.gpu.protocol.Rect;
import dev.neep.virtio.ForwardingVirtioDevice;
import dev.neep.virtio.NotificationSource;
import dev.neep.virtio.VirtioDevice;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DS shell of {@link GpuDevice}: configuration from PID {@value GpuDeviceConfig#PID}, the
 * backend provider chosen by the reference target {@code backend.target} (written directly, or
 * derived from {@code backend}: see {@link BackendTargetPlugin}), every display sink bound
 * dynamically. Registered as a {@code dev.neep.virtio.VirtioDevice} with
 * {@code virtio.device.id=16} for the transports, and as {@link GpuDeviceInfo},
 * {@link GpuDisplayControl} and {@link VgaScanout} (one object: virtio-vga, bound to it as a
 * {@code VirtioDevice}, hands it its VBE pictures through the same object).
 *
 * <p>One device per configuration: the single configuration {@value GpuDeviceConfig#PID} (or
 * none) makes the device named {@value ScanoutId#DEFAULT_DEVICE}; instead of it, each factory
 * configuration {@code dev.neep.gpu~NAME} makes one named NAME (or its {@code name}), each with
 * its own backend instance, transport and sinks: one per guest. (Felix SCR refuses factory
 * configurations beside a single one.) The name is the service property
 * {@code neep.device} ({@link BackendTargetPlugin} derives it), by which a transport's
 * {@code device.target} picks its device. Every sink is bound unless its own {@code neep.device}
 * service property names other devices; the DS property {@code sink.target} narrows it further.
 *
 * <p>A configuration change never restarts the component, so a transport bound to it stays
 * bound: {@link #modified} hands the new settings to the running device
 * ({@link GpuDevice#reconfigure}). A new target makes SCR, after calling {@code modified}, bind
 * the provider it selects before it unbinds the old one (a dynamic greedy reference); binding
 * it swaps the backend while the device runs. SCR only does this when such a provider exists;
 * when none does, it deactivates the component, which waits (unsatisfied) for one. A refused
 * configuration never reaches {@code modified}: the plugin points the target at no provider,
 * so the component is deactivated and waits until the configuration is fixed. A provider that
 * replaces the bound one (a higher ranking, or the old one leaving while another matches) is
 * swapped in the same way, and a bound provider whose service properties change (its own
 * configuration did) has its backend opened again ({@link GpuDevice#reopen}).
 *
 * <p>A backend that fails to open does not fail the component: the device answers
 * RESP_ERR_UNSPEC to every command that needs a backend, the log says why, and the next
 * provider, or the next change of its configuration, tries again. (Felix SCR does not
 * activate a component whose activation failed again when its configuration changes if it has
 * a modified method; only a service request would.)
 */
@Component(configurationPid = GpuDeviceConfig.PID, immediate = true,
        service = {VirtioDevice.class, GpuDeviceInfo.class, GpuDisplayControl.class, VgaScanout.class},
        property = {"virtio.device.id:Integer=" + GpuDevice.DEVICE_ID,
            DisplaySink.DEVICE_PROPERTY + "=" + ScanoutId.DEFAULT_DEVICE})
@Designate(ocd = GpuDeviceConfig.class)
@GpuDeviceConfig
public final class GpuDeviceComponent extends ForwardingVirtioDevice
        implements GpuDeviceInfo, GpuDisplayControl, VgaScanout {

    private static final Logger LOG = LoggerFactory.getLogger(GpuDeviceComponent.class);

    private final Object lock = new Object();
    /** Every sink bound, with the devices it is for (its {@code neep.device}; null: all). */
    private final Map<DisplaySink, Object> sinks = new LinkedHashMap<>();
    /** The device's name, from activation on. */
    private String name;
    private GpuBackendProvider provider;
    private volatile GpuDevice device;
    /** The configuration last given to the device. */
    private DeviceConfig configured;
    /** The transport's notification source the device waits in, handed on to a device that starts over. */
    private NotificationSource source;

    /** The device's settings in {@code properties}, read as the plugin checks them. */
    static DeviceConfig deviceConfig(Map<String, ?> properties) {
        GpuDeviceConfig c = TypedConfiguration.read(GpuDeviceConfig.class, properties);
        return new DeviceConfig(c.max__outputs(), c.xres(), c.yres(), c.edid(), c.max__hostmem(), c.hostmem());
    }

    @Activate
    void activate(Map<String, Object> properties) {
        DeviceConfig config;
        try {
            config = deviceConfig(properties);
        } catch (ConfigurationRefused e) {
            LOG.error("virtio-gpu device not started: {}", e.getMessage());
            throw e;
        }
        GpuDevice d;
        synchronized (lock) {
            d = start(name(properties), config);
        }
        LOG.info("virtio-gpu device started: '{}', {} output(s) {}x{}, backend {}, features 0x{}", d.name(),
                config.maxOutputs(), config.xres(), config.yres(),
                d.backendKind().isEmpty() ? "not open" : d.backendKind(), Long.toHexString(d.deviceFeatures()));
    }

    private static String name(Map<String, Object> properties) {
        return String.valueOf(properties.getOrDefault(DisplaySink.DEVICE_PROPERTY, ScanoutId.DEFAULT_DEVICE));
    }

    /** Under {@link #lock}: a device named {@code n} with the provider and the sinks for it. */
    private GpuDevice start(String n, DeviceConfig config) {
        GpuDevice d = new GpuDevice(n, config);
        name = n;
        try {
            d.useProvider(provider);
        } catch (GpuBackendException e) {
            // logged by the device, which answers RESP_ERR_UNSPEC until a backend opens
        }
        sinks.forEach((sink, devices) -> {
            if (DisplaySink.isFor(devices, n)) {
                d.addSink(sink);
            }
        });
        if (source != null) {
            d.waitIn(source);
        }
        device = d;
        configured = config;
        return d;
    }

    /** A configuration change while the device runs; see the class comment. */
    @Modified
    void modified(Map<String, Object> properties) {
        DeviceConfig config;
        try {
            config = deviceConfig(properties);
        } catch (ConfigurationRefused e) {
            // Only without the plugin (which refuses such a configuration before SCR gets here).
            LOG.error("virtio-gpu configuration change refused, the device keeps its settings: {}", e.getMessage());
            return;
        }
        String n = name(properties);
        synchronized (lock) {
            GpuDevice d = device;
            if (d != null && !n.equals(name)) {
                // Sinks know a device by its name, so a new one is a new device. SCR does this when
                // the first factory configuration takes over the component configuration that ran
                // without one (the device named gpu).
                LOG.info("virtio-gpu device '{}' becomes device '{}': it starts over", name, n);
                d.close();
                start(n, config);
                return;
            }
            if (d == null || config.equals(configured)) {
                return;
            }
            configured = config;
            d.reconfigure(config);
        }
        LOG.info("virtio-gpu device reconfigured: {} output(s) {}x{}, edid {}, max_hostmem {}", config.maxOutputs(),
                config.xres(), config.yres(), config.edid(), config.maxHostmem());
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
            target = "(" + GpuBackendProvider.BACKEND_PROPERTY + "=" + GpuDeviceConfig.DEFAULT_BACKEND + ")",
            updated = "updatedBackend")
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

    /** The bound provider's service properties changed, as they do when its own configuration does. */
    void updatedBackend(GpuBackendProvider p) {
        synchronized (lock) {
            GpuDevice d = device;
            if (d != null && provider == p) {
                try {
                    d.reopen(p);
                } catch (GpuBackendException e) {
                    // logged by the device; it answers RESP_ERR_UNSPEC until the backend opens
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
    void bindSink(DisplaySink sink, Map<String, Object> properties) {
        Object devices = properties.get(DisplaySink.DEVICE_PROPERTY);
        synchronized (lock) {
            sinks.put(sink, devices);
            GpuDevice d = device;
            if (d != null && DisplaySink.isFor(devices, name)) {
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

    // ---- VirtioDevice: every call but deviceId goes to the running device ----

    @Override
    protected VirtioDevice delegate() {
        return device();
    }

    @Override
    public int deviceId() {
        return GpuDevice.DEVICE_ID;
    }

    @Override
    public boolean waitIn(NotificationSource s) {
        synchronized (lock) {
            GpuDevice d = device;
            if (d == null || !d.waitIn(s)) {
                return false;
            }
            source = s;
            return true;
        }
    }

    // ---- GpuDeviceInfo, GpuDisplayControl ----

    @Override
    public String name() {
        return device().name();
    }

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
    public long hostVisibleRegionSize() {
        return device().hostVisibleRegionSize();
    }

    @Override
    public long hostVisibleRegionUsed() {
        return device().hostVisibleRegionUsed();
    }

    @Override
    public int hostVisibleMappings() {
        return device().hostVisibleMappings();
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

    @Override
    public void useFrontEnd(FrontEndDisplays displays) {
        device().useFrontEnd(displays);
    }

    // ---- VgaScanout ----

    @Override
    public void showVga(Frame picture) {
        device().showVga(picture);
    }

    @Override
    public void updateVga(Rect dirty, Frame picture) {
        device().updateVga(dirty, picture);
    }

    @Override
    public void withdrawVga() {
        device().withdrawVga();
    }
}
