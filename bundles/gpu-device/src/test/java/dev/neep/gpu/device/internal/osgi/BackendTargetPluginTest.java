package dev.neep.gpu.device.internal.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.Dictionary;
import java.util.Hashtable;
import org.junit.Test;

/** The configuration plugin that turns {@code backend} into the provider reference's target filter. */
public class BackendTargetPluginTest {
    private final BackendTargetPlugin plugin = new BackendTargetPlugin();

    private static Dictionary<String, Object> config(String pid, Object backend) {
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("service.pid", pid);
        if (backend != null) {
            d.put("backend", backend);
        }
        return d;
    }

    @Test
    public void backendBecomesTheProviderTargetFilter() {
        Dictionary<String, Object> d = config(GpuDeviceConfig.PID, "virgl");
        plugin.modifyConfiguration(null, d);
        assertEquals("(neep.backend=virgl)", d.get("backend.target"));
    }

    @Test
    public void missingBackendTargetsTheDefault2dProvider() {
        Dictionary<String, Object> d = config(GpuDeviceConfig.PID, null);
        plugin.modifyConfiguration(null, d);
        assertEquals("(neep.backend=2d)", d.get("backend.target"));
    }

    @Test
    public void unknownBackendIsLeftForTheComponentToRefuse() {
        Dictionary<String, Object> d = config(GpuDeviceConfig.PID, "(|(x=y)");
        plugin.modifyConfiguration(null, d);
        assertNull(d.get("backend.target"));
    }

    @Test
    public void otherPidsAreNotTouched() {
        Dictionary<String, Object> d = config("dev.neep.other", "virgl");
        plugin.modifyConfiguration(null, d);
        assertNull(d.get("backend.target"));
    }
}
