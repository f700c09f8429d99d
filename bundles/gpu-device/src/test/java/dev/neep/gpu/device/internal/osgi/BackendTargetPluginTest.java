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
    public void theDeviceIsNamedGpuByTheSingleConfigurationAndAfterTheFactoryConfigurationOtherwise() {
        Dictionary<String, Object> single = config(GpuDeviceConfig.PID, null);
        plugin.modifyConfiguration(null, single);
        assertEquals("gpu", single.get("neep.device"));

        Dictionary<String, Object> factory = config(GpuDeviceConfig.PID + "~guest2", "virgl");
        factory.put("service.factoryPid", GpuDeviceConfig.PID);
        plugin.modifyConfiguration(null, factory);
        assertEquals("guest2", factory.get("neep.device"));
        assertEquals("(neep.backend=virgl)", factory.get("backend.target"));

        factory.put("name", "left");
        plugin.modifyConfiguration(null, factory);
        assertEquals("a name set wins", "left", factory.get("neep.device"));
    }

    @Test
    public void aNameThatIsNoNameIsRefusedAndNamesNoDevice() {
        Dictionary<String, Object> d = config(GpuDeviceConfig.PID, null);
        d.put("name", "a b)");
        plugin.modifyConfiguration(null, d);
        assertTrue(d.get("backend.target").toString(), d.get("backend.target").toString().contains("name=a b"));
        assertNull(d.get("neep.device"));
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
                "(neep.configuration.refused=dev.neep.gpu: backend=\\(|\\(x=y\\)\\*: is not a backend kind"));
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
    public void anyKindIsAcceptedSoANewBackendNeedsNoChangeHere() {
        for (String kind : new String[] {"vulkan", "recording", "my-backend.v2", "2D_fast"}) {
            Dictionary<String, Object> d = config(GpuDeviceConfig.PID, kind);
            plugin.modifyConfiguration(null, d);
            assertEquals("(neep.backend=" + kind + ")", d.get("backend.target"));
        }
    }

    @Test
    public void backendTargetMayBeWrittenDirectly() {
        Dictionary<String, Object> d = config(GpuDeviceConfig.PID, null);
        d.put("backend.target", "(&(neep.backend=virgl)(service.ranking>=10))");
        plugin.modifyConfiguration(null, d);
        assertEquals("(&(neep.backend=virgl)(service.ranking>=10))", d.get("backend.target"));
        // with the shorthand saying the same
        d.put("backend", "virgl");
        d.put("backend.target", "(neep.backend=virgl)");
        plugin.modifyConfiguration(null, d);
        assertEquals("(neep.backend=virgl)", d.get("backend.target"));
    }

    @Test
    public void aTargetThatIsNoFilterOrThatContradictsBackendIsRefused() {
        Dictionary<String, Object> d = config(GpuDeviceConfig.PID, null);
        d.put("backend.target", "neep.backend=virgl");
        plugin.modifyConfiguration(null, d);
        String target = (String) d.get("backend.target");
        assertTrue(target, target.contains("backend.target=neep.backend=virgl: is not an LDAP filter"));

        d = config(GpuDeviceConfig.PID, "2d");
        d.put("backend.target", "(neep.backend=virgl)");
        plugin.modifyConfiguration(null, d);
        target = (String) d.get("backend.target");
        assertTrue(target, target.startsWith("(neep.configuration.refused=dev.neep.gpu:"
                + " backend.target=\\(neep.backend=virgl\\): chooses otherwise than backend=2d"));
    }

    @Test
    public void otherPidsAreNotTouched() {
        Dictionary<String, Object> d = config("dev.neep.other", "virgl");
        plugin.modifyConfiguration(null, d);
        assertNull(d.get("backend.target"));
    }
}
