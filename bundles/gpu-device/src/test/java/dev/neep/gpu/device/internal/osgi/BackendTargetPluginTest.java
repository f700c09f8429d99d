package dev.neep.gpu.device.internal.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.junit.Test;

/** The configuration plugin that turns {@code backend} into the provider reference's target filter, or refuses. */
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
    public void refusedConfigurationTargetsNoProviderAndSaysWhyInTheFilter() throws InvalidSyntaxException {
        Dictionary<String, Object> d = config(GpuDeviceConfig.PID, "(|(x=y)*");
        plugin.modifyConfiguration(null, d);
        String target = (String) d.get("backend.target");
        assertTrue(target, target.startsWith(
                "(neep.gpu.configuration.refused=configuration property backend=\\(|\\(x=y\\)\\*"));
        // a well-formed filter that no provider matches
        Filter f = FrameworkUtil.createFilter(target);
        assertFalse(f.matches(Map.of("neep.backend", "2d")));
        assertFalse(f.matches(Map.of("neep.backend", "(|(x=y)*")));
    }

    @Test
    public void everyPropertyIsChecked() {
        Dictionary<String, Object> d = config(GpuDeviceConfig.PID, "virgl");
        d.put("max_outputs", 17);
        plugin.modifyConfiguration(null, d);
        assertTrue((String) d.get("backend.target"), ((String) d.get("backend.target")).contains("max_outputs=17"));
        d.put("max_outputs", "2");
        plugin.modifyConfiguration(null, d);
        assertEquals("(neep.backend=virgl)", d.get("backend.target"));
    }

    @Test
    public void capsetSwitchesOnlyGoWithRutabaga() {
        Dictionary<String, Object> d = config(GpuDeviceConfig.PID, "virgl");
        d.put("cross-domain", true);
        plugin.modifyConfiguration(null, d);
        assertTrue((String) d.get("backend.target"), ((String) d.get("backend.target")).contains("cross-domain=on"));
        d.put("backend", "rutabaga");
        plugin.modifyConfiguration(null, d);
        assertEquals("(neep.backend=rutabaga)", d.get("backend.target"));
    }

    @Test
    public void otherPidsAreNotTouched() {
        Dictionary<String, Object> d = config("dev.neep.other", "virgl");
        plugin.modifyConfiguration(null, d);
        assertNull(d.get("backend.target"));
    }
}
