package dev.neep.vhostuser.gpu.internal;

import static org.junit.Assert.assertEquals;

import dev.neep.gpu.protocol.Blobs;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.testkit.Backing;
import dev.neep.testkit.GpuDriver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A guest's side of rutabaga's cross-domain context, as far as host blobs need it: the query
 * ring, CROSS_DOMAIN_CMD_INIT without a channel, and GET_IMAGE_REQUIREMENTS, whose answer names
 * the blob to create. The layouts are cross-domain's: every command starts with an 8-byte
 * header {u8 cmd, u8 ring_idx, u16 cmd_size, u32 pad}; the answer in the query ring is 64
 * bytes, size at 40 and blob_id at 48.
 */
final class CrossDomain {

    static final int CMD_INIT = 1;
    static final int CMD_GET_IMAGE_REQUIREMENTS = 2;
    /** DRM_FORMAT_XRGB8888. */
    static final int DRM_FORMAT_XRGB8888 = 0x34325258;
    /** RUTABAGA_GRALLOC_USE_LINEAR | _SW_READ_OFTEN | _SW_WRITE_OFTEN. */
    static final int GRALLOC_CPU = (1 << 4) | (1 << 9) | (1 << 11);
    static final int QUERY_RING_SIZE = 4096;

    /** An image's requirements as the query ring answered them. */
    record ImageRequirements(long size, int blobId, int mapInfo) {
    }

    private final GpuDriver driver;
    final int ctxId;
    private final int queryRing;
    private final Backing ringBacking;

    /**
     * Creates a cross-domain context and its query ring: a guest blob made outside any context
     * (rutabaga refuses one made in the cross-domain context) and attached to it, then INIT.
     */
    CrossDomain(GpuDriver driver) {
        this.driver = driver;
        this.ctxId = driver.newContextId();
        ok(driver.ctxCreate(ctxId, CapsetIds.CROSS_DOMAIN, "neep-test"));
        this.queryRing = driver.newResourceId();
        this.ringBacking = driver.allocateBacking(QUERY_RING_SIZE);
        ok(driver.createBlob(0, queryRing, Blobs.BLOB_MEM_GUEST, Blobs.BLOB_FLAG_USE_MAPPABLE, 0, QUERY_RING_SIZE,
                ringBacking));
        ok(driver.ctxAttachResource(ctxId, queryRing));
        ByteBuffer init = command(CMD_INIT, 20);
        init.putInt(queryRing).putInt(0).putInt(0);
        submit(init.flip());
    }

    /** Fenced on the context's ring 0: cross-domain answers into the query ring before the fence signals. */
    private void submit(ByteBuffer cmd) {
        ok(driver.submit3dFenced(ctxId, 0, cmd).await().hdr());
    }

    /** Asserts a command was done (RESP_OK_NODATA). */
    static void ok(CtrlHdr answer) {
        assertEquals(CtrlType.name(answer.type()), CtrlType.RESP_OK_NODATA, answer.type());
    }

    /** GET_IMAGE_REQUIREMENTS of a linear, CPU-mapped XRGB8888 image. */
    ImageRequirements imageRequirements(int width, int height) {
        ByteBuffer cmd = command(CMD_GET_IMAGE_REQUIREMENTS, 24);
        cmd.putInt(width).putInt(height).putInt(DRM_FORMAT_XRGB8888).putInt(GRALLOC_CPU);
        submit(cmd.flip());
        ByteBuffer answer = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        ringBacking.read(0, answer);
        return new ImageRequirements(answer.getLong(40), answer.getInt(48), answer.getInt(52));
    }

    private static ByteBuffer command(int cmd, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) cmd).put((byte) 0).putShort((short) size).putInt(0);
        return b;
    }
}
