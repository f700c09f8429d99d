package dev.neep.paxexam;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.Test;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.CompositeOption;
import org.ops4j.pax.exam.options.MavenArtifactProvisionOption;

public class NeepOptionsTest {

    private static List<String> urls(Option option) {
        List<String> urls = new ArrayList<>();
        for (Option o : ((CompositeOption) option).getOptions()) {
            urls.add(((MavenArtifactProvisionOption) o).getURL());
        }
        return urls;
    }

    @Test
    public void versionsAreFilledInByTheBuild() {
        assertTrue(NeepOptions.version(), NeepOptions.version().matches("\\d+\\.\\d+\\.\\d+.*"));
        for (String url : urls(NeepOptions.framework())) {
            assertFalse(url, url.contains("${") || url.endsWith("/"));
        }
    }

    @Test
    public void loggingAndItsMediatorComeFirstAtLevelOne() {
        List<String> urls = urls(NeepOptions.framework());
        assertTrue(urls.toString(), urls.get(0).startsWith("mvn:org.ow2.asm/asm/"));
        assertTrue(urls.toString(), urls.get(5).startsWith("mvn:org.apache.aries.spifly/"));
        assertTrue(urls.toString(), urls.get(6).startsWith("mvn:org.slf4j/slf4j-api/2."));
        assertTrue(urls.toString(), urls.get(7).startsWith("mvn:org.slf4j/slf4j-simple/2."));
        for (Option o : ((CompositeOption) NeepOptions.framework()).getOptions()) {
            MavenArtifactProvisionOption b = (MavenArtifactProvisionOption) o;
            boolean logging = b.getURL().contains("asm") || b.getURL().contains("spifly")
                    || b.getURL().contains("slf4j");
            assertEquals(b.getURL(), logging ? 1 : 2, (int) b.getStartLevel());
        }
    }

    @Test
    public void aNeepBundleComesWithWhatItNeedsEachOnceInOrder() {
        String v = NeepOptions.version();
        assertEquals(List.of("mvn:dev.neep/neep-config-support/" + v, "mvn:dev.neep/neep-virtio/" + v,
                "mvn:dev.neep/neep-gpu-protocol/" + v, "mvn:dev.neep/neep-gpu-api/" + v,
                "mvn:dev.neep/neep-backend-2d/" + v, "mvn:dev.neep/neep-gpu-device/" + v,
                "mvn:dev.neep/neep-vhost-user/" + v, "mvn:dev.neep/neep-vhost-user-gpu/" + v),
                urls(NeepOptions.neep("vhost-user-gpu", "gpu-device")));
    }

    @Test
    public void anUnknownNameIsRefusedListingTheKnownOnes() {
        try {
            NeepOptions.neep("gpu-devcie");
            fail("took gpu-devcie");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("no neep bundle gpu-devcie; there are ["));
            assertTrue(e.getMessage(), e.getMessage().contains("gpu-device"));
        }
    }
}
