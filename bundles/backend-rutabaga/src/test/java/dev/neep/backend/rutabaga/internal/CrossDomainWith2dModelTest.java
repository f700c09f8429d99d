package dev.neep.backend.rutabaga.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.neep.config.support.TypedConfiguration;
import dev.neep.gpu.api.Create3dArgs;
import dev.neep.gpu.api.CreateBlobArgs;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.Frame;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.After;
import org.junit.Test;

/**
 * {@link CrossDomainWith2d} over {@link RutabagaModel}: which side serves what when cross-domain
 * is the only capset, and that it is used only then.
 */
public class CrossDomainWith2dModelTest {

    private final RutabagaModel model = new RutabagaModel();
    private final LinkedBlockingQueue<Fence> signalled = new LinkedBlockingQueue<>();
    private GpuBackend backend;

    @After
    public void close() {
        if (backend != null) {
            backend.close();
        }
        assertEquals(List.of(), model.violations);
    }

    private GpuBackend open(String capsets) throws GpuBackendException {
        RutabagaSettings settings = RutabagaSettings.from(TypedConfiguration.read(RutabagaBackendConfig.class,
                Map.of("capset_names", capsets)), Map.of());
        backend = CrossDomainWith2d.around(RutabagaBackend.open(model, settings, signalled::add), settings,
                signalled::add);
        return backend;
    }

    @Test
    public void twoDResourcesHoldWhatTheGuestTransferred() throws Exception {
        GpuBackend b = open("cross-domain");
        ByteBuffer guest = ByteBuffer.allocateDirect(4 * 2 * 4);
        for (int i = 0; i < guest.capacity(); i++) {
            guest.put(i, (byte) (i + 1));
        }
        b.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 4, 2);
        b.attachBacking(1, List.of(guest));

        b.transferWrite(0, 1, Transfer.of2d(0, 0, 4, 2, 0));

        Frame frame = b.frame(1);
        for (int i = 0; i < guest.capacity(); i++) {
            assertEquals("byte " + i, guest.get(i), frame.pixels().get(frame.pixels().position() + i));
        }
        b.detachBacking(1);
        b.resourceUnref(1);
        assertThrows(GpuBackendException.class, () -> b.frame(1));
    }

    @Test
    public void contextsBlobsAndFencesGoToRutabaga() throws Exception {
        GpuBackend b = open("cross-domain");
        assertEquals(CapsetIds.CROSS_DOMAIN, b.capsets().get(0).capsetId());
        b.contextCreate(1, CapsetIds.CROSS_DOMAIN, "ctx");
        b.resourceCreateBlob(0, 2, new CreateBlobArgs(Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_MAPPABLE, 0, 4096),
                List.of(ByteBuffer.allocateDirect(4096)));
        b.contextAttachResource(1, 2);
        b.createFence(new Fence(1, 7, 0, 0));

        assertEquals(7, signalled.take().fenceId());
        b.contextDetachResource(1, 2);
        b.resourceUnref(2);
        b.contextDestroy(1);
    }

    @Test
    public void aTwoDResourceAttachedToAContextStaysOnTheTwoDSide() throws Exception {
        GpuBackend b = open("cross-domain");
        b.contextCreate(1, CapsetIds.CROSS_DOMAIN, "ctx");
        b.resourceCreate2d(1, Formats.B8G8R8X8_UNORM, 4, 2);

        b.contextAttachResource(1, 1);
        b.contextDetachResource(1, 1);

        b.resourceUnref(1);
        b.contextDestroy(1);
    }

    @Test
    public void whatWouldMoveNothingIsRefused() throws Exception {
        GpuBackend b = open("cross-domain");
        b.resourceCreateBlob(0, 2, new CreateBlobArgs(Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_MAPPABLE, 0, 4096),
                List.of(ByteBuffer.allocateDirect(4096)));

        GpuBackendException write = assertThrows(GpuBackendException.class,
                () -> b.transferWrite(1, 2, new Transfer(0, 0, 0, 1024, 1, 1, 0, 0, 0, 0)));
        GpuBackendException read = assertThrows(GpuBackendException.class,
                () -> b.transferRead(1, 2, new Transfer(0, 0, 0, 1024, 1, 1, 0, 0, 0, 0)));
        GpuBackendException create3d = assertThrows(GpuBackendException.class,
                () -> b.resourceCreate3d(3, new Create3dArgs(2, Formats.B8G8R8X8_UNORM, 2, 4, 4, 1, 1, 0, 0, 0)));

        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, write.responseType());
        assertEquals(CtrlType.RESP_ERR_INVALID_PARAMETER, read.responseType());
        assertEquals(CtrlType.RESP_ERR_UNSPEC, create3d.responseType());
        assertTrue(write.getMessage(), write.getMessage().contains("copies nothing"));
    }

    @Test
    public void withAnotherCapsetBesideCrossDomainRutabagaServesEverything() throws Exception {
        // The model is a 2D and cross-domain build, like the library built here: the choice is
        // the settings' alone, so any backend shows it.
        GpuBackend plain = open("");
        RutabagaSettings both = RutabagaSettings.from(TypedConfiguration.read(RutabagaBackendConfig.class,
                Map.of("capset_names", "gfxstream-vulkan:cross-domain")), Map.of());

        assertSame(plain, CrossDomainWith2d.around(plain, both, signalled::add));
    }
}
