package dev.neep.testbackend.internal;

import dev.neep.backend2d.Backend2d;
import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendProvider;
import dev.neep.testbackend.BackendRecord;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Opens 2D backends that record every call made on them. It reads its own configuration,
 * {@value RecordingBackendConfig#PID}, as the real backends do, and takes a change of it
 * without restarting, so that a device bound to it opens its backend again.
 */
@Component(service = {GpuBackendProvider.class, BackendRecord.class}, configurationPid = RecordingBackendConfig.PID,
        property = GpuBackendProvider.BACKEND_PROPERTY + "=" + BackendRecord.KIND)
@Designate(ocd = RecordingBackendConfig.class)
@RecordingBackendConfig
public final class RecordingBackendProvider implements GpuBackendProvider, BackendRecord {

    private final AtomicInteger opened = new AtomicInteger();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile boolean headless;

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        headless = TypedConfiguration.read(RecordingBackendConfig.class, properties).headless();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public GpuBackend open(FenceListener fences) {
        GpuBackend backend = Backend2d.open(fences);
        boolean openedHeadless = headless;
        opened.incrementAndGet();
        return (GpuBackend) Proxy.newProxyInstance(GpuBackend.class.getClassLoader(), new Class<?>[] {GpuBackend.class},
                (proxy, method, args) -> {
                    calls.add(method.getName());
                    if (method.getName().equals("headless")) {
                        return openedHeadless;
                    }
                    try {
                        return method.invoke(backend, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public int opened() {
        return opened.get();
    }

    @Override
    public List<String> calls() {
        return List.copyOf(calls);
    }
}
