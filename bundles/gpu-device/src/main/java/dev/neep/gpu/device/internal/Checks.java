package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_CONTEXT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_RESOURCE_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_OUT_OF_MEMORY;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Decoded;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.MemEntry;
import dev.neep.gpu.protocol.Rect;
import dev.neep.virtio.ChainReader;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.OnceLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks several handler families make, each with its one answer, and the one way a
 * guest mistake is answered: a log line once per cause and a {@code RESP_ERR_*}. Each check
 * returns null when the command may go on, else the answer.
 *
 * <p>Confined to the device thread.
 */
final class Checks {
    /** QEMU's limit on ATTACH_BACKING / CREATE_BLOB entries: 16384 runs of guest pages. */
    static final int MAX_MEM_ENTRIES = 16384;

    private final OnceLog log;
    private final DriverState driver;
    private final ResourceTable resources;
    private final ContextTable contexts;

    Checks(OnceLog log, DriverState driver, ResourceTable resources, ContextTable contexts) {
        this.log = log;
        this.driver = driver;
        this.resources = resources;
        this.contexts = contexts;
    }

    /** Answers a guest mistake: {@code cause} is the log's key, so a guest cannot grow its table at will. */
    Reply refuse(CtrlHdr h, String cause, String detail, int answer) {
        log.guest(CtrlType.name(h.type()) + ": " + cause, detail + " -> " + CtrlType.name(answer));
        return Reply.error(answer);
    }

    boolean negotiated(int bit) {
        return driver.negotiated(bit);
    }

    Reply unknownResource(CtrlHdr h, int id) {
        return refuse(h, "resource_id", "resource " + Integer.toUnsignedString(id) + " does not exist",
                RESP_ERR_INVALID_RESOURCE_ID);
    }

    /** The id a create command names is neither 0 nor in use. */
    Reply newResourceId(CtrlHdr h, int id) {
        if (id == 0) {
            return refuse(h, "resource_id", "resource id 0 is reserved", RESP_ERR_INVALID_RESOURCE_ID);
        }
        if (resources.contains(id)) {
            // QEMU's choice for a duplicate id
            return refuse(h, "resource_id in use", "resource " + Integer.toUnsignedString(id) + " already exists",
                    RESP_ERR_INVALID_RESOURCE_ID);
        }
        return null;
    }

    /** {@code bytes} more host memory fit {@code max_hostmem}; {@code what} says what would take them. */
    Reply hostmem(CtrlHdr h, long bytes, String what) {
        if (bytes > resources.hostmemLeft()) {
            return refuse(h, "max_hostmem", what + ", " + resources.hostmemLeft() + " of max_hostmem "
                    + resources.maxHostmem() + " left", RESP_ERR_OUT_OF_MEMORY);
        }
        return null;
    }

    Reply unknownContext(CtrlHdr h, int ctxId) {
        return refuse(h, "ctx_id", "context " + Integer.toUnsignedString(ctxId) + " does not exist",
                RESP_ERR_INVALID_CONTEXT_ID);
    }

    /** 3D commands exist only with VIRTIO_GPU_F_VIRGL; without it they are unknown, as on QEMU's 2D device. */
    Reply require3d(CtrlHdr h) {
        if (!driver.negotiated(GpuFeatures.VIRGL)) {
            return refuse(h, "3D not negotiated", "a 3D command without VIRTIO_GPU_F_VIRGL", RESP_ERR_UNSPEC);
        }
        return null;
    }

    /** 3D negotiated and {@code ctx_id} names a live context, or the answer why not. */
    Reply require3dContext(CtrlHdr h) {
        Reply bad = require3d(h);
        if (bad != null) {
            return bad;
        }
        if (h.ctxId() == 0 || !contexts.contains(h.ctxId())) {
            return unknownContext(h, h.ctxId());
        }
        return null;
    }

    /** QEMU's answer to blob commands without VIRTIO_GPU_F_RESOURCE_BLOB. */
    Reply requireBlob(CtrlHdr h) {
        if (!driver.negotiated(GpuFeatures.RESOURCE_BLOB)) {
            return refuse(h, "blob not negotiated", "VIRTIO_GPU_F_RESOURCE_BLOB was not acknowledged",
                    RESP_ERR_INVALID_PARAMETER);
        }
        return null;
    }

    /** Guest pages named by {@code nr} memory entries after the request, as views, or why they are refused. */
    Backing backing(CtrlHdr h, int nr, ChainReader trailing) {
        long count = Integer.toUnsignedLong(nr);
        if (count > MAX_MEM_ENTRIES) {
            return Backing.refusing(refuse(h, "nr_entries", "nr_entries " + count + " > " + MAX_MEM_ENTRIES,
                    RESP_ERR_UNSPEC));
        }
        long bytes = count * MemEntry.SIZE;
        if (bytes > trailing.remaining()) {
            return Backing.refusing(refuse(h, "entries missing", "nr_entries " + count + " needs " + bytes
                    + " bytes, the chain carries " + trailing.remaining(), RESP_ERR_UNSPEC));
        }
        Decoded<List<MemEntry>> entries = MemEntry.decodeAll(trailing.readBuffer((int) bytes), nr);
        if (!entries.isOk()) {
            return Backing.refusing(refuse(h, "entries", entries.error().message(), RESP_ERR_UNSPEC));
        }
        GuestMemory memory = driver.memory();
        if (memory == null) {
            return Backing.refusing(refuse(h, "no guest memory", "the device is not active", RESP_ERR_UNSPEC));
        }
        List<ByteBuffer> views = new ArrayList<>();
        long total = 0;
        int index = 0;
        for (MemEntry e : entries.value()) {
            long length = e.lengthUnsigned();
            if (length != 0) {
                if (!memory.contains(e.addr(), length)) {
                    return Backing.refusing(refuse(h, "entry outside guest memory", "entry " + index + " addr 0x"
                            + Long.toHexString(e.addr()) + " length " + length + " is not guest memory",
                            RESP_ERR_UNSPEC));
                }
                views.addAll(memory.slices(e.addr(), length));
                total += length;
            }
            index++;
        }
        return new Backing(views, total, null);
    }

    /** {@code w}x{@code h}, both u32, for log lines. */
    static String size(int w, int h) {
        return Integer.toUnsignedString(w) + "x" + Integer.toUnsignedString(h);
    }

    static String rect(Rect r) {
        return "rect " + size(r.width(), r.height()) + "+" + Integer.toUnsignedString(r.x()) + "+"
                + Integer.toUnsignedString(r.y());
    }
}
