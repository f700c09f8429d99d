package dev.neep.testkit;

import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.GpuBackendProvider;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.Set;

/**
 * A provider around another whose backends count what the device leaves in them: resources,
 * attached backings and contexts not yet released, instances opened and not yet closed. Whatever
 * the backend itself does is unchanged, so a real backend runs as it would. One instance is open
 * at a time.
 */
public final class TrackingProvider implements GpuBackendProvider {
    private final GpuBackendProvider real;
    private final Set<Integer> resources = new HashSet<>();
    private final Set<Integer> backed = new HashSet<>();
    private final Set<Integer> contexts = new HashSet<>();
    private int open;
    private int opened;

    public TrackingProvider(GpuBackendProvider real) {
        this.real = real;
    }

    @Override
    public String kind() {
        return real.kind();
    }

    @Override
    public GpuBackend open(FenceListener fences) throws GpuBackendException {
        GpuBackend backend = real.open(fences);
        synchronized (this) {
            open++;
            opened++;
        }
        return (GpuBackend) Proxy.newProxyInstance(GpuBackend.class.getClassLoader(),
                new Class<?>[] {GpuBackend.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(backend, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    track(method.getName(), args);
                    return result;
                });
    }

    /** Called after a call succeeded: a failed call leaves nothing in the backend. */
    private synchronized void track(String method, Object[] args) {
        switch (method) {
            case "resourceCreate2d", "resourceCreate3d" -> resources.add((Integer) args[0]);
            case "resourceCreateBlob" -> {
                resources.add((Integer) args[1]);
                backed.add((Integer) args[1]);
            }
            case "resourceUnref" -> {
                resources.remove((Integer) args[0]);
                backed.remove((Integer) args[0]);
            }
            case "attachBacking" -> backed.add((Integer) args[0]);
            case "detachBacking" -> backed.remove((Integer) args[0]);
            case "contextCreate" -> contexts.add((Integer) args[0]);
            case "contextDestroy" -> contexts.remove((Integer) args[0]);
            case "close" -> {
                // One instance is open at a time; closing it releases everything in it.
                open--;
                resources.clear();
                backed.clear();
                contexts.clear();
            }
            default -> {
            }
        }
    }

    /** Resources the device created in the open backend and has not unreferenced. */
    public synchronized int liveResources() {
        return resources.size();
    }

    /** Resources of the open backend with guest pages attached (or a guest blob's pages). */
    public synchronized int liveBackings() {
        return backed.size();
    }

    /** Contexts the device created in the open backend and has not destroyed. */
    public synchronized int liveContexts() {
        return contexts.size();
    }

    /** Backend instances opened and not closed. */
    public synchronized int openInstances() {
        return open;
    }

    /** Backend instances opened, closed or not. */
    public synchronized int opened() {
        return opened;
    }
}
