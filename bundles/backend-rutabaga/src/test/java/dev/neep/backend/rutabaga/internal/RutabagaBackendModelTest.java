package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_builder;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_debug_callback;
import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_fence;
import dev.neep.config.support.ConfigurationRefused;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlType;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.After;
import org.junit.Test;

/**
 * The scenarios against {@link RutabagaModel}, a model of 0.1.2 written from its source and
 * the measurements in the bundle README, plus what only a model can check: that the backend
 * never does what the real library would take as undefined behaviour.
 */
public class RutabagaBackendModelTest extends RutabagaBackendScenarios {

    private final RutabagaModel model = new RutabagaModel();

    @Override
    RutabagaGfxFfi library() {
        return model;
    }

    @After
    public void nothingUndefinedWasAskedOfTheLibrary() {
        assertEquals(List.of(), model.violations);
    }

    @Test
    public void emptyCommandStillPassesNonNullSlicesInBothTrailingFields() throws Exception {
        GpuBackend backend = open(CROSS_DOMAIN);
        backend.contextCreate(1, CapsetIds.CROSS_DOMAIN, "ctx");
        backend.submitCommand(1, ByteBuffer.allocate(0), null);
        backend.submitCommand(1, ByteBuffer.allocate(0), new long[] {3, 4});
    }

    @Test
    public void libraryMessageIsPartOfTheAnswer() throws Exception {
        GpuBackend backend = open(CROSS_DOMAIN);
        backend.contextCreate(1, CapsetIds.CROSS_DOMAIN, "ctx");
        try {
            backend.submitCommand(1, imageRequirementsBeforeInit(), new long[0]);
            fail("accepted");
        } catch (GpuBackendException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("returned -22 (-EINVAL): cross-domain: invalid command"));
        }
    }

    @Test
    public void theDebugCallbackIsTheProcessOneAnchoredInJmx() throws Exception {
        open(0);
        open(0);
        ObjectName name = new ObjectName(DebugRelay.OBJECT_NAME);
        assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(name));
        assertNull("the process already has its debug callback", DebugRelay.claim());
        // What the library does with a second one: a caught panic.
        rutabaga_builder builder = new rutabaga_builder();
        builder.wsi = RutabagaGfxFfi.RUTABAGA_WSI_SURFACELESS;
        builder.fence_cb = (userData, fence) -> { };
        builder.debug_cb = (rutabaga_debug_callback) (userData, debug) -> { };
        assertEquals(-3, model.rutabaga_init(builder, new PointerByReference()));
    }

    @Test
    public void crossDomainGetsTheWaylandSocketAsItsChannel() throws Exception {
        open(CROSS_DOMAIN, Map.of(), Map.of("XDG_RUNTIME_DIR", "/run/user/7", "WAYLAND_DISPLAY", "wayland-3"));
        open(CROSS_DOMAIN, Map.of("wayland_socket_path", "/tmp/w.sock"), Map.of());
        open(0, Map.of("wayland_socket_path", "/tmp/unused.sock"), Map.of());
        assertEquals(List.of("/run/user/7/wayland-3 type 1", "/tmp/w.sock type 1"), model.channelsSeen);
    }

    @Test
    public void tooLongWaylandSocketFailsTheOpenNamingIt() throws GpuBackendException {
        String path = "/" + "w".repeat(120);
        try {
            open(0, Map.of("capset_names", "cross-domain", "wayland_socket_path", path), Map.of());
            fail("accepted");
        } catch (ConfigurationRefused e) {
            assertTrue(e.getMessage(), e.getMessage().contains("wayland_socket_path=" + path));
        }
        assertEquals(List.of(), model.channelsSeen);
    }

    @Test
    public void panicInsideTheLibraryIsAnUnspecifiedError() throws Exception {
        RutabagaModel panicking = new RutabagaModel() {
            @Override
            public int rutabaga_create_fence(rutabaga ptr, rutabaga_fence fence) {
                return -3;
            }
        };
        GpuBackend backend = RutabagaBackend.open(panicking, new RutabagaSettings("", Map.of(), false, Optional.empty()),
                signalled::add);
        try {
            backend.createFence(new Fence(Fence.FLAG_FENCE, 1, 0, 0));
            fail("accepted");
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_UNSPEC, e.responseType());
            assertTrue(e.getMessage(), e.getMessage().contains("panicked"));
        } finally {
            backend.close();
        }
        assertNull(signalled.poll());
    }

    @Test
    public void aCapsetNameThisLibraryDoesNotKnowFailsTheOpenNamingIt() {
        RutabagaModel withoutDrm = new RutabagaModel() {
            @Override
            public int rutabaga_calculate_capset_mask(String capsetNames, LongByReference capsetMask) {
                int rc = super.rutabaga_calculate_capset_mask(capsetNames, capsetMask);
                if (capsetNames.equals("drm")) {
                    capsetMask.setValue(0); // skipped, as the library does with a name it was built without
                }
                return rc;
            }
        };
        try {
            RutabagaBackend.open(withoutDrm, new RutabagaSettings("", Map.of("drm", "capset_names=venus:drm"), false,
                    Optional.empty()), signalled::add).close();
            fail("a capset the library does not know was accepted");
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_UNSPEC, e.responseType());
            assertTrue(e.getMessage(), e.getMessage().contains("capset_names=venus:drm"));
            assertTrue(e.getMessage(), e.getMessage().contains("'drm'"));
        }
        assertEquals(0, withoutDrm.liveInstances());
    }

    /** gfxstream's init waits for ever when its renderer fails to start: the open gives up instead of hanging. */
    @Test
    public void anInitThatNeverReturnsFailsTheOpenInsteadOfHangingIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RutabagaModel hanging = new RutabagaModel() {
            @Override
            public int rutabaga_init(rutabaga_builder builder, PointerByReference ptr) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.rutabaga_init(builder, ptr);
            }
        };
        try {
            RutabagaInstances.take(hanging, new RutabagaSettings("", Map.of(), false, Optional.empty()), 200);
            fail("an init that did not return was taken for a success");
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_UNSPEC, e.responseType());
            assertTrue(e.getMessage(), e.getMessage().startsWith("rutabaga_init did not return within 200 ms"));
            assertTrue(e.getMessage(), e.getMessage().contains("restart neep"));
        } finally {
            release.countDown();
        }
    }

    @Test
    public void closingFinishesTheInstance() throws Exception {
        GpuBackend backend = open(0);
        assertEquals(1, model.liveInstances());
        backend.close();
        assertEquals(0, model.liveInstances());
    }
}
