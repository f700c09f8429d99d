package dev.neep.gpu.protocol;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import org.junit.Test;

/**
 * Frames built byte by byte at the offsets of the spec's structs decode to the right fields,
 * and encoders produce those same bytes.
 */
public class SpecLayoutTest {

    @Test
    public void ctrlHdrFieldsSitAtSpecOffsets() {
        byte[] frame = {
            0x01, 0x01, 0x00, 0x00,                         // type = 0x0101 CMD_RESOURCE_CREATE_2D
            0x03, 0x00, 0x00, 0x00,                         // flags = FENCE | INFO_RING_IDX
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, // fence_id
            0x2a, 0x00, 0x00, 0x00,                         // ctx_id = 42
            (byte) 0xfe,                                    // ring_idx
            0x00, 0x00, 0x00,                               // padding
        };
        CtrlHdr h = CtrlHdr.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(CtrlType.CMD_RESOURCE_CREATE_2D, h.type());
        assertEquals(3, h.flags());
        assertEquals(0x0102030405060708L, h.fenceId());
        assertEquals(42, h.ctxId());
        assertEquals(0xfe, h.ringIdx());
        assertTrue(h.isFenced());
        assertTrue(h.hasRingIdx());
        assertArrayEquals(frame, encode(h::encode, CtrlHdr.SIZE));
    }

    @Test
    public void ringIdxIsOneUnsignedByteFollowedByPadding() {
        byte[] frame = Le.frame().hdr(0x0100, 0, 0, 0, 0x80).bytes();
        frame[21] = 0x55;   // padding is ignored, not merged into ring_idx
        assertEquals(0x80, CtrlHdr.decode(ByteBuffer.wrap(frame)).value().ringIdx());
    }

    @Test
    public void resourceCreate2dDecodesFromSpecOffsets() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_RESOURCE_CREATE_2D, 0, 0, 0, 0)
                .u32(5).u32(Formats.R8G8B8A8_UNORM).u32(0xffff_fff0L).u32(600).bytes();
        ResourceCreate2d c = ResourceCreate2d.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(5, c.resourceId());
        assertEquals(Formats.R8G8B8A8_UNORM, c.format());
        assertEquals(0xffff_fff0L, Integer.toUnsignedLong(c.width()));
        assertEquals(600, c.height());
        assertArrayEquals(frame, encode(c::encode, ResourceCreate2d.SIZE));
    }

    @Test
    public void setScanoutHasRectThenScanoutThenResource() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_SET_SCANOUT, 0, 0, 0, 0)
                .u32(1).u32(2).u32(3).u32(4).u32(5).u32(6).bytes();
        SetScanout s = SetScanout.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(new Rect(1, 2, 3, 4), s.r());
        assertEquals(5, s.scanoutId());
        assertEquals(6, s.resourceId());
        assertArrayEquals(frame, encode(s::encode, SetScanout.SIZE));
    }

    @Test
    public void resourceFlushHasRectThenResource() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_RESOURCE_FLUSH, 0, 0, 0, 0)
                .u32(1).u32(2).u32(3).u32(4).u32(9).zeros(4).bytes();
        ResourceFlush f = ResourceFlush.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(new Rect(1, 2, 3, 4), f.r());
        assertEquals(9, f.resourceId());
        assertArrayEquals(frame, encode(f::encode, ResourceFlush.SIZE));
    }

    @Test
    public void transferToHost2dHasOffsetAt40AndResourceAt48() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_TRANSFER_TO_HOST_2D, 0, 0, 0, 0)
                .u32(0).u32(0).u32(64).u32(32).u64(0x1_0000_0040L).u32(77).zeros(4).bytes();
        TransferToHost2d t = TransferToHost2d.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(new Rect(0, 0, 64, 32), t.r());
        assertEquals(0x1_0000_0040L, t.offset());
        assertEquals(77, t.resourceId());
        assertArrayEquals(frame, encode(t::encode, TransferToHost2d.SIZE));
    }

    @Test
    public void attachBackingEntriesFollowTheFixedPart() {
        ByteBuffer b = Le.frame().hdr(CtrlType.CMD_RESOURCE_ATTACH_BACKING, 0, 0, 0, 0)
                .u32(3).u32(2)
                .u64(0x10_0000L).u32(4096).zeros(4)
                .u64(0x20_0000L).u32(8192).zeros(4).buffer();
        ResourceAttachBacking a = ResourceAttachBacking.decode(b).value();
        assertEquals(3, a.resourceId());
        assertEquals(2, a.nrEntries());
        assertEquals(ResourceAttachBacking.SIZE, b.position());
        List<MemEntry> entries = MemEntry.decodeAll(b, a.nrEntries()).value();
        assertEquals(List.of(new MemEntry(0x10_0000L, 4096), new MemEntry(0x20_0000L, 8192)), entries);
        assertFalse(b.hasRemaining());
    }

    @Test
    public void respDisplayInfoHasSixteenModesOf24Bytes() {
        Le f = Le.frame().hdr(CtrlType.RESP_OK_DISPLAY_INFO, 0, 0, 0, 0);
        f.u32(0).u32(0).u32(1024).u32(768).u32(1).u32(0);          // pmodes[0]
        f.u32(1024).u32(0).u32(800).u32(600).u32(1).u32(7);        // pmodes[1]
        f.zeros(14 * DisplayOne.SIZE);
        RespDisplayInfo d = RespDisplayInfo.decode(f.buffer()).value();
        assertEquals(new DisplayOne(new Rect(0, 0, 1024, 768), 1, 0), d.pmodes().get(0));
        assertEquals(new DisplayOne(new Rect(1024, 0, 800, 600), 1, 7), d.pmodes().get(1));
        assertFalse(d.pmodes().get(2).isEnabled());
        assertArrayEquals(f.bytes(), encode(d::encode, RespDisplayInfo.SIZE));
    }

    @Test
    public void capsetInfoAndCapsetLayouts() {
        byte[] req = Le.frame().hdr(CtrlType.CMD_GET_CAPSET_INFO, 0, 0, 0, 0).u32(1).zeros(4).bytes();
        assertEquals(1, GetCapsetInfo.decode(ByteBuffer.wrap(req)).value().capsetIndex());

        byte[] resp = Le.frame().hdr(CtrlType.RESP_OK_CAPSET_INFO, 0, 0, 0, 0).u32(4).u32(1).u32(160).zeros(4).bytes();
        RespCapsetInfo i = RespCapsetInfo.decode(ByteBuffer.wrap(resp)).value();
        assertEquals(CapsetIds.VENUS, i.capsetId());
        assertEquals(1, i.capsetMaxVersion());
        assertEquals(160, i.capsetMaxSize());
        assertArrayEquals(resp, encode(i::encode, RespCapsetInfo.SIZE));

        byte[] get = Le.frame().hdr(CtrlType.CMD_GET_CAPSET, 0, 0, 0, 0).u32(2).u32(1).bytes();
        GetCapset g = GetCapset.decode(ByteBuffer.wrap(get)).value();
        assertEquals(CapsetIds.VIRGL2, g.capsetId());
        assertEquals(1, g.capsetVersion());

        byte[] data = Le.frame().hdr(CtrlType.RESP_OK_CAPSET, 0, 0, 0, 0).u8(0xaa).u8(0xbb).u8(0xcc).bytes();
        assertArrayEquals(new byte[] {(byte) 0xaa, (byte) 0xbb, (byte) 0xcc},
                RespCapset.decode(ByteBuffer.wrap(data)).value().capsetData());
    }

    @Test
    public void edidLayout() {
        byte[] req = Le.frame().hdr(CtrlType.CMD_GET_EDID, 0, 0, 0, 0).u32(1).zeros(4).bytes();
        assertEquals(1, GetEdid.decode(ByteBuffer.wrap(req)).value().scanout());

        byte[] blob = new byte[1024];
        blob[0] = 0x00;
        blob[1] = (byte) 0xff;
        blob[127] = 0x42;
        byte[] resp = Le.frame().hdr(CtrlType.RESP_OK_EDID, 0, 0, 0, 0).u32(128).zeros(4).bytes(blob).bytes();
        RespEdid e = RespEdid.decode(ByteBuffer.wrap(resp)).value();
        assertEquals(128, e.size());
        assertEquals(128, e.blob().length);
        assertEquals(0x42, e.blob()[127]);
        assertArrayEquals(resp, encode(e::encode, RespEdid.SIZE));
    }

    @Test
    public void uuidBytesAreInRfc4122Order() {
        byte[] resp = Le.frame().hdr(CtrlType.RESP_OK_RESOURCE_UUID, 0, 0, 0, 0)
                .bytes(new byte[] {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                    (byte) 0x88, (byte) 0x99, (byte) 0xaa, (byte) 0xbb,
                    (byte) 0xcc, (byte) 0xdd, (byte) 0xee, (byte) 0xff})
                .bytes();
        RespResourceUuid u = RespResourceUuid.decode(ByteBuffer.wrap(resp)).value();
        assertEquals(UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"), u.uuid());
        assertArrayEquals(resp, encode(u::encode, RespResourceUuid.SIZE));
    }

    @Test
    public void resourceCreateBlobHasBlobIdAt40AndSizeAt48() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_RESOURCE_CREATE_BLOB, 0, 0, 5, 0)
                .u32(8).u32(Blobs.BLOB_MEM_HOST3D).u32(Blobs.BLOB_FLAG_USE_MAPPABLE).u32(0)
                .u64(0xabcdefL).u64(1L << 20).bytes();
        ResourceCreateBlob c = ResourceCreateBlob.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(8, c.resourceId());
        assertEquals(Blobs.BLOB_MEM_HOST3D, c.blobMem());
        assertEquals(Blobs.BLOB_FLAG_USE_MAPPABLE, c.blobFlags());
        assertEquals(0, c.nrEntries());
        assertEquals(0xabcdefL, c.blobId());
        assertEquals(1L << 20, c.size());
        assertArrayEquals(frame, encode(c::encode, ResourceCreateBlob.SIZE));
    }

    @Test
    public void setScanoutBlobHasStridesAt64AndOffsetsAt80() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_SET_SCANOUT_BLOB, 0, 0, 0, 0)
                .u32(0).u32(0).u32(640).u32(480)       // r
                .u32(0).u32(8)                         // scanout_id, resource_id
                .u32(640).u32(480).u32(Formats.B8G8R8X8_UNORM).zeros(4)
                .u32(2560).u32(0).u32(0).u32(0)        // strides
                .u32(0).u32(0).u32(0).u32(4096)        // offsets
                .bytes();
        SetScanoutBlob s = SetScanoutBlob.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(new Rect(0, 0, 640, 480), s.r());
        assertEquals(8, s.resourceId());
        assertEquals(Formats.B8G8R8X8_UNORM, s.format());
        assertEquals(List.of(2560, 0, 0, 0), s.strides());
        assertEquals(List.of(0, 0, 0, 4096), s.offsets());
        assertArrayEquals(frame, encode(s::encode, SetScanoutBlob.SIZE));
    }

    @Test
    public void ctxCreateHasNlenContextInitAndSixtyFourNameBytes() {
        byte[] name = new byte[64];
        System.arraycopy("venus-ctx".getBytes(), 0, name, 0, 9);
        byte[] frame = Le.frame().hdr(CtrlType.CMD_CTX_CREATE, 0, 0, 3, 0)
                .u32(9).u32(CapsetIds.VENUS).bytes(name).bytes();
        CtxCreate c = CtxCreate.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(3, c.hdr().ctxId());
        assertEquals(9, c.nlen());
        assertEquals(CapsetIds.VENUS, c.capsetId());
        assertEquals("venus-ctx", c.debugName());
        assertArrayEquals(frame, encode(c::encode, CtxCreate.SIZE));
    }

    @Test
    public void ctxCreateKeepsAnOversizedNlenButReadsOnlySixtyFourBytes() {
        byte[] name = new byte[64];
        java.util.Arrays.fill(name, (byte) 'a');
        byte[] frame = Le.frame().hdr(CtrlType.CMD_CTX_CREATE, 0, 0, 1, 0).u32(1000).u32(0).bytes(name).bytes();
        CtxCreate c = CtxCreate.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(1000, c.nlen());
        assertEquals(64, c.debugName().length());
        assertArrayEquals(frame, encode(c::encode, CtxCreate.SIZE));
    }

    @Test
    public void resourceCreate3dFieldOrder() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_RESOURCE_CREATE_3D, 0, 0, 1, 0)
                .u32(1).u32(2).u32(3).u32(4).u32(5).u32(6).u32(7).u32(8).u32(9).u32(10).u32(11).zeros(4).bytes();
        ResourceCreate3d c = ResourceCreate3d.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), List.of(c.resourceId(), c.target(), c.format(),
                c.bind(), c.width(), c.height(), c.depth(), c.arraySize(), c.lastLevel(), c.nrSamples(), c.flags()));
        assertArrayEquals(frame, encode(c::encode, ResourceCreate3d.SIZE));
    }

    @Test
    public void transferHost3dHasBoxThenOffsetAt48() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_TRANSFER_FROM_HOST_3D, 0, 0, 1, 0)
                .u32(1).u32(2).u32(3).u32(4).u32(5).u32(6).u64(0x7000_0000_0000L).u32(9).u32(1).u32(256).u32(65536)
                .bytes();
        TransferHost3d t = TransferHost3d.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(new Box(1, 2, 3, 4, 5, 6), t.box());
        assertEquals(0x7000_0000_0000L, t.offset());
        assertEquals(9, t.resourceId());
        assertEquals(1, t.level());
        assertEquals(256, t.stride());
        assertEquals(65536, t.layerStride());
        assertArrayEquals(frame, encode(t::encode, TransferHost3d.SIZE));
    }

    @Test
    public void submit3dSizeIsFollowedByTheCommandBytes() {
        ByteBuffer b = Le.frame().hdr(CtrlType.CMD_SUBMIT_3D, 0, 0, 2, 0).u32(4).zeros(4).u32(0xdeadbeefL).buffer();
        Submit3d s = Submit3d.decode(b).value();
        assertEquals(4, s.size());
        assertEquals(Submit3d.SIZE, b.position());
        assertEquals(4, b.remaining());
    }

    @Test
    public void resourceMapBlobHasPaddingBeforeTheOffset() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_RESOURCE_MAP_BLOB, 0, 0, 0, 0)
                .u32(4).zeros(4).u64(0x4000_0000L).bytes();
        ResourceMapBlob m = ResourceMapBlob.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(4, m.resourceId());
        assertEquals(0x4000_0000L, m.offset());
        assertArrayEquals(frame, encode(m::encode, ResourceMapBlob.SIZE));

        byte[] info = Le.frame().hdr(CtrlType.RESP_OK_MAP_INFO, 0, 0, 0, 0)
                .u32(Blobs.MAP_CACHE_CACHED).zeros(4).bytes();
        assertEquals(Blobs.MAP_CACHE_CACHED, RespMapInfo.decode(ByteBuffer.wrap(info)).value().mapInfo());
    }

    @Test
    public void updateCursorHasPosThenResourceAndHotspot() {
        byte[] frame = Le.frame().hdr(CtrlType.CMD_UPDATE_CURSOR, 0, 0, 0, 0)
                .u32(1).u32(100).u32(200).zeros(4)     // pos
                .u32(33).u32(4).u32(5).zeros(4)
                .bytes();
        UpdateCursor u = UpdateCursor.decode(ByteBuffer.wrap(frame)).value();
        assertEquals(new CursorPos(1, 100, 200), u.pos());
        assertEquals(33, u.resourceId());
        assertEquals(4, u.hotX());
        assertEquals(5, u.hotY());
        assertArrayEquals(frame, encode(u::encode, UpdateCursor.SIZE));
    }

    @Test
    public void gpuConfigLayout() {
        byte[] bytes = Le.frame().u32(1).u32(0).u32(2).u32(3).bytes();
        GpuConfig c = GpuConfig.decode(ByteBuffer.wrap(bytes)).value();
        assertEquals(new GpuConfig(GpuEvents.EVENT_DISPLAY, 0, 2, 3), c);
        assertArrayEquals(bytes, c.toBytes());
    }

    @Test
    public void responseHeaderCopiesTheFenceOfAFencedRequest() {
        int flags = CtrlFlags.FLAG_FENCE | CtrlFlags.FLAG_INFO_RING_IDX;
        CtrlHdr request = new CtrlHdr(CtrlType.CMD_SUBMIT_3D, flags, 99, 4, 2);
        assertEquals(new CtrlHdr(CtrlType.RESP_OK_NODATA, flags, 99, 4, 2),
                request.responseHeader(CtrlType.RESP_OK_NODATA));
        CtrlHdr plain = new CtrlHdr(CtrlType.CMD_SUBMIT_3D, 0, 99, 4, 2);
        assertEquals(CtrlHdr.of(CtrlType.RESP_OK_NODATA), plain.responseHeader(CtrlType.RESP_OK_NODATA));
    }

    private static byte[] encode(java.util.function.Consumer<ByteBuffer> encoder, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        encoder.accept(b);
        assertFalse(b.hasRemaining());
        return b.array();
    }
}
