package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.Formats;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Test;

/**
 * How native instances are built, kept, handed on and refused ({@link RutabagaInstances}), against
 * the model of a build with gfxstream. The class has a JVM of its own (Surefire's fork per
 * class) and one model: gfxstream's renderer is process-wide, so every test that opens
 * gfxstream-vulkan gets the instance the first one built, and none may build a second.
 */
public class RutabagaInstancesModelTest {

    private static final RutabagaModel MODEL = RutabagaModel.withGfxstream();
    private static final Map<String, String> GFXSTREAM = Map.of("capset_names", "gfxstream-vulkan");

    private final LinkedBlockingQueue<Fence> signalled = new LinkedBlockingQueue<>();
    private final List<GpuBackend> opened = new ArrayList<>();

    @After
    public void closeAndCheck() {
        opened.forEach(GpuBackend::close);
        MODEL.deferFences(false);
        assertEquals(List.of(), MODEL.violations);
    }

    private GpuBackend open(Map<String, String> properties, FenceListener fences) throws GpuBackendException {
        GpuBackend backend = RutabagaBackend.open(MODEL, RutabagaSettings.from(
                TypedConfiguration.read(RutabagaBackendConfig.class, new HashMap<>(properties)), Map.of()), fences);
        opened.add(backend);
        return backend;
    }

    private GpuBackend open(Map<String, String> properties) throws GpuBackendException {
        return open(properties, signalled::add);
    }

    private static String claimState() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().getAttribute(
                new ObjectName(RutabagaInstances.CLAIM_NAME), "State");
    }

    @Test
    public void gfxstreamIsBuiltOnceAndHandedToEveryLaterBackendWithTheSameSettings() throws Exception {
        open(GFXSTREAM).close();
        int inits = MODEL.inits;
        for (int round = 0; round < 3; round++) {
            GpuBackend backend = open(GFXSTREAM);
            assertEquals(List.of(new CapsetInfo(CapsetIds.GFXSTREAM_VULKAN, 0, 104)), backend.capsets());
            assertEquals("in use", claimState());
            backend.close();
            assertTrue(claimState(), claimState().startsWith("kept"));
        }
        assertEquals("one instance, kept", 1, MODEL.liveInstances());
        assertEquals("built before the loop, never again", inits, MODEL.inits);
    }

    @Test
    public void otherSettingsThatNeedGfxstreamAreRefusedNamingWhatToDo() throws Exception {
        open(GFXSTREAM).close();
        int inits = MODEL.inits;
        try {
            open(Map.of("capset_names", "gfxstream-vulkan:cross-domain"));
            fail("a second gfxstream was asked of the library");
        } catch (GpuBackendException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("dev.neep.backend.rutabaga: capsets"
                    + " gfxstream-vulkan:cross-domain"));
            assertTrue(e.getMessage(), e.getMessage().contains("only once per process"));
            assertTrue(e.getMessage(), e.getMessage().contains("restart neep"));
        }
        assertEquals(inits, MODEL.inits);
        open(GFXSTREAM);
    }

    @Test
    public void aSecondBackendWhileTheFirstIsOpenIsRefused() throws Exception {
        GpuBackend first = open(GFXSTREAM);
        try {
            open(GFXSTREAM);
            fail("two backends on one gfxstream");
        } catch (GpuBackendException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("(in use)"));
        }
        first.close();
        open(GFXSTREAM);
    }

    @Test
    public void wsiIsTheBackendsOwnAndMayChangeOnTheKeptInstance() throws Exception {
        GpuBackend headless = open(Map.of("capset_names", "gfxstream-vulkan", "wsi", "headless"));
        assertTrue(headless.headless());
        headless.close();
        int inits = MODEL.inits;
        assertFalse(open(GFXSTREAM).headless());
        assertEquals(inits, MODEL.inits);
    }

    @Test
    public void closeDetachesThenDestroysContextsThenUnrefsResources() throws Exception {
        GpuBackend backend = open(GFXSTREAM);
        backend.contextCreate(1, CapsetIds.GFXSTREAM_VULKAN, "a");
        backend.contextCreate(2, CapsetIds.GFXSTREAM_VULKAN, "b");
        backend.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 16, 16);
        backend.resourceCreate2d(2, Formats.B8G8R8X8_UNORM, 16, 16);
        backend.contextAttachResource(1, 1);
        backend.contextAttachResource(1, 2);
        backend.contextAttachResource(2, 2);
        backend.close();
        assertEquals(0, MODEL.liveContexts());
        assertEquals(0, MODEL.liveResources());
        // the next backend starts empty: the same ids are free again
        GpuBackend next = open(GFXSTREAM);
        next.contextCreate(1, CapsetIds.GFXSTREAM_VULKAN, "a");
        next.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 16, 16);
    }

    @Test
    public void unrefDetachesFromTheContextsFirst() throws Exception {
        GpuBackend backend = open(GFXSTREAM);
        backend.contextCreate(1, CapsetIds.GFXSTREAM_VULKAN, "a");
        backend.resourceCreate2d(7, Formats.B8G8R8X8_UNORM, 16, 16);
        backend.contextAttachResource(1, 7);
        backend.resourceUnref(7);
        backend.contextDestroy(1);
        assertEquals(0, MODEL.liveResources());
    }

    @Test
    public void aFenceOfAnEarlierBackendThatCompletesLateIsNotTheNextOnes() throws Exception {
        MODEL.deferFences(true);
        LinkedBlockingQueue<Fence> earlier = new LinkedBlockingQueue<>();
        GpuBackend first = open(GFXSTREAM, earlier::add);
        first.createFence(new Fence(Fence.FLAG_FENCE, 1, 0, 0));
        first.close();
        GpuBackend second = open(GFXSTREAM);
        Fence same = new Fence(Fence.FLAG_FENCE, 1, 0, 0);
        second.createFence(same);
        MODEL.signalNext(); // the first backend's fence, late
        assertNull(signalled.poll(200, TimeUnit.MILLISECONDS));
        MODEL.signalNext();
        assertSame(same, signalled.poll(5, TimeUnit.SECONDS));
        assertNull(earlier.poll());
    }

    @Test
    public void crossDomainAloneIsFinishedAtCloseAndBuiltAgain() throws Exception {
        int inits = MODEL.inits;
        int live = MODEL.liveInstances();
        open(Map.of("capset_names", "cross-domain")).close();
        open(Map.of("capset_names", "cross-domain")).close();
        assertEquals(inits + 2, MODEL.inits);
        assertEquals(live, MODEL.liveInstances());
    }
}
