package dev.neep.gpu.device.internal;

import static dev.neep.gpu.device.internal.Checks.size;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_CONTEXT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;

import dev.neep.gpu.api.Create3dArgs;
import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.Box;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtxCreate;
import dev.neep.gpu.protocol.CtxDestroy;
import dev.neep.gpu.protocol.CtxResource;
import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.gpu.protocol.ResourceCreate3d;
import dev.neep.gpu.protocol.Submit3d;
import dev.neep.gpu.protocol.TransferHost3d;
import dev.neep.virtio.ChainReader;
import java.nio.ByteBuffer;
import java.util.function.IntConsumer;

/**
 * Contexts and 3D (feature VIRGL): CTX_CREATE, CTX_DESTROY, CTX_ATTACH_RESOURCE,
 * CTX_DETACH_RESOURCE, RESOURCE_CREATE_3D, TRANSFER_TO_HOST_3D, TRANSFER_FROM_HOST_3D and
 * SUBMIT_3D. Without VIRGL negotiated every one of them is ERR_UNSPEC, as on QEMU's 2D device.
 */
final class ContextCommands {
    /**
     * Largest SUBMIT_3D command stream the device copies out of guest memory. Mesa's command
     * buffers are at most 256 KiB and the context types that stream more use shared rings;
     * the cap keeps a guest from making the host allocate gigabytes per command.
     */
    static final int MAX_SUBMIT_BYTES = 16 << 20;

    private final ResourceTable resources;
    private final ContextTable contexts;
    private final BackendSlot backend;
    private final Checks checks;
    private final IntConsumer contextDestroyed;

    /** {@code contextDestroyed} hears of each destroyed context: its fences will never be signalled. */
    ContextCommands(ResourceTable resources, ContextTable contexts, BackendSlot backend, Checks checks,
            IntConsumer contextDestroyed) {
        this.resources = resources;
        this.contexts = contexts;
        this.backend = backend;
        this.checks = checks;
        this.contextDestroyed = contextDestroyed;
    }

    Reply ctxCreate(CtxCreate c) {
        Reply bad = checks.require3d(c.hdr());
        if (bad != null) {
            return bad;
        }
        int ctx = c.hdr().ctxId();
        if (ctx == 0 || contexts.contains(ctx)) {
            return checks.refuse(c.hdr(), "ctx_id", "context id " + Integer.toUnsignedString(ctx)
                    + (ctx == 0 ? " is reserved" : " is in use"), RESP_ERR_INVALID_CONTEXT_ID);
        }
        if (Integer.compareUnsigned(c.nlen(), CtxCreate.DEBUG_NAME_CAPACITY) > 0) {
            return checks.refuse(c.hdr(), "nlen", "nlen " + Integer.toUnsignedString(c.nlen()) + " > "
                    + CtxCreate.DEBUG_NAME_CAPACITY, RESP_ERR_INVALID_PARAMETER);
        }
        int init = c.contextInit();
        if (init != 0 && !checks.negotiated(GpuFeatures.CONTEXT_INIT)) {
            return checks.refuse(c.hdr(), "context_init", "context_init 0x" + Integer.toHexString(init)
                    + " without VIRTIO_GPU_F_CONTEXT_INIT", RESP_ERR_INVALID_PARAMETER);
        }
        if ((init & ~CapsetIds.CONTEXT_INIT_CAPSET_ID_MASK) != 0) {
            return checks.refuse(c.hdr(), "context_init", "reserved bits set in context_init 0x"
                    + Integer.toHexString(init), RESP_ERR_INVALID_PARAMETER);
        }
        int capset = c.capsetId();
        if (capset != 0 && !backend.offersCapset(capset)) {
            return checks.refuse(c.hdr(), "context_init capset", "capset " + CapsetIds.name(capset)
                    + " is not offered", RESP_ERR_INVALID_PARAMETER);
        }
        Reply failed = backend.call("CMD_CTX_CREATE", b -> b.contextCreate(ctx, init, c.debugName()));
        if (failed != null) {
            return failed;
        }
        contexts.add(ctx);
        return Reply.OK;
    }

    Reply ctxDestroy(CtxDestroy c) {
        Reply bad = checks.require3dContext(c.hdr());
        if (bad != null) {
            return bad;
        }
        return destroy(c.hdr().ctxId());
    }

    /**
     * Detaches every resource still attached to the live context {@code ctx}, then destroys it
     * (CTX_DESTROY, and reset). A native renderer keeps its own list of a resource's contexts and
     * detaches the resource from each when it goes; a context destroyed under an attached
     * resource leaves an entry it later fails on (gfxstream: "context not found"). The context is
     * gone from the device whatever the backend said.
     */
    Reply destroy(int ctx) {
        for (int res : contexts.attached(ctx)) {
            detach(ctx, res);
        }
        Reply failed = backend.call("CMD_CTX_DESTROY", b -> b.contextDestroy(ctx));
        contexts.remove(ctx);
        contextDestroyed.accept(ctx);
        return failed != null ? failed : Reply.OK;
    }

    /** Detaches {@code resourceId} from every live context it is attached to, before the resource goes. */
    void detachEverywhere(int resourceId) {
        for (int ctx : contexts.holding(resourceId)) {
            detach(ctx, resourceId);
        }
    }

    /** A detach the device makes on its own; a failure is logged by the slot and the attachment forgotten. */
    private void detach(int ctx, int res) {
        backend.call("detach before release", b -> b.contextDetachResource(ctx, res));
        contexts.detach(ctx, res);
    }

    Reply ctxAttachResource(CtxResource c) {
        return ctxResource(c, true);
    }

    Reply ctxDetachResource(CtxResource c) {
        return ctxResource(c, false);
    }

    private Reply ctxResource(CtxResource c, boolean attach) {
        Reply bad = checks.require3dContext(c.hdr());
        if (bad != null) {
            return bad;
        }
        Resource res = resources.get(c.resourceId());
        if (res == null) {
            return checks.unknownResource(c.hdr(), c.resourceId());
        }
        int ctx = c.hdr().ctxId();
        Reply failed = attach
                ? backend.call("CMD_CTX_ATTACH_RESOURCE", b -> b.contextAttachResource(ctx, res.id))
                : backend.call("CMD_CTX_DETACH_RESOURCE", b -> b.contextDetachResource(ctx, res.id));
        if (failed != null) {
            return failed;
        }
        if (attach) {
            contexts.attach(ctx, res.id);
        } else {
            contexts.detach(ctx, res.id);
        }
        return Reply.OK;
    }

    Reply create3d(ResourceCreate3d r) {
        Reply bad = checks.require3d(r.hdr());
        if (bad == null) {
            bad = checks.newResourceId(r.hdr(), r.resourceId());
        }
        if (bad != null) {
            return bad;
        }
        if (Integer.compareUnsigned(r.target(), Gallium.TARGET_COUNT) >= 0) {
            return checks.refuse(r.hdr(), "target", "target " + Integer.toUnsignedString(r.target())
                    + " is not a Gallium texture target", RESP_ERR_INVALID_PARAMETER);
        }
        if (r.width() == 0 || r.height() == 0 || r.depth() == 0 || r.arraySize() == 0) {
            return checks.refuse(r.hdr(), "size", "zero extent: " + size(r.width(), r.height()) + "x"
                    + Integer.toUnsignedString(r.depth()) + ", array_size " + Integer.toUnsignedString(r.arraySize()),
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (Integer.compareUnsigned(r.lastLevel(), Gallium.MAX_LAST_LEVEL) > 0) {
            return checks.refuse(r.hdr(), "last_level", "last_level " + Integer.toUnsignedString(r.lastLevel())
                    + " > " + Gallium.MAX_LAST_LEVEL, RESP_ERR_INVALID_PARAMETER);
        }
        Create3dArgs create = new Create3dArgs(r.target(), r.format(), r.bind(), r.width(), r.height(), r.depth(),
                r.arraySize(), r.lastLevel(), r.nrSamples(), r.flags());
        Reply failed = backend.call("CMD_RESOURCE_CREATE_3D", b -> b.resourceCreate3d(r.resourceId(), create));
        if (failed != null) {
            return failed;
        }
        resources.add(Resource.threeD(r.resourceId(), r.target(), r.format(), r.width(), r.height(), r.depth(),
                r.arraySize(), r.lastLevel()));
        return Reply.OK;
    }

    Reply transferToHost3d(TransferHost3d t) {
        return transfer3d(t, true);
    }

    Reply transferFromHost3d(TransferHost3d t) {
        return transfer3d(t, false);
    }

    private Reply transfer3d(TransferHost3d t, boolean toHost) {
        Reply bad = checks.require3d(t.hdr());
        if (bad != null) {
            return bad;
        }
        int ctx = t.hdr().ctxId();
        if (ctx != 0 && !contexts.contains(ctx)) {
            return checks.unknownContext(t.hdr(), ctx);
        }
        Resource res = resources.get(t.resourceId());
        if (res == null) {
            return checks.unknownResource(t.hdr(), t.resourceId());
        }
        Box box = t.box();
        if (!res.isBlob()) {
            if (Integer.compareUnsigned(t.level(), res.lastLevel) > 0) {
                return checks.refuse(t.hdr(), "level", "level " + Integer.toUnsignedString(t.level())
                        + " > last_level " + res.lastLevel + " of " + res, RESP_ERR_INVALID_PARAMETER);
            }
            if (!Gallium.boxInside(res, box.x(), box.y(), box.z(), box.w(), box.h(), box.d())) {
                return checks.refuse(t.hdr(), "box", box + " outside " + res + " of " + size(res.width, res.height)
                        + "x" + res.depth + ", array_size " + res.arraySize, RESP_ERR_INVALID_PARAMETER);
            }
        }
        if (t.offset() < 0 || (res.hasBacking() && t.offset() > res.backingLength())) {
            return checks.refuse(t.hdr(), "offset", "offset " + Long.toUnsignedString(t.offset()) + " beyond the "
                    + res.backingLength() + " bytes of " + res + "'s backing", RESP_ERR_INVALID_PARAMETER);
        }
        Transfer transfer = new Transfer(box.x(), box.y(), box.z(), box.w(), box.h(), box.d(), t.level(),
                t.stride(), t.layerStride(), t.offset());
        Reply failed = toHost
                ? backend.call("CMD_TRANSFER_TO_HOST_3D", b -> b.transferWrite(ctx, res.id, transfer))
                : backend.call("CMD_TRANSFER_FROM_HOST_3D", b -> b.transferRead(ctx, res.id, transfer));
        return failed != null ? failed : Reply.OK;
    }

    Reply submit3d(Submit3d s, ChainReader trailing) {
        Reply bad = checks.require3dContext(s.hdr());
        if (bad != null) {
            return bad;
        }
        long size = Integer.toUnsignedLong(s.size());
        if (size > trailing.remaining()) {
            return checks.refuse(s.hdr(), "size", "size " + size + " but the chain carries " + trailing.remaining()
                    + " command bytes", RESP_ERR_INVALID_PARAMETER);
        }
        if (size > MAX_SUBMIT_BYTES) {
            return checks.refuse(s.hdr(), "size limit", "size " + size + " above the device's limit of "
                    + MAX_SUBMIT_BYTES, RESP_ERR_INVALID_PARAMETER);
        }
        ByteBuffer commands = trailing.readBuffer((int) size);
        int ctx = s.hdr().ctxId();
        Reply failed = backend.call("CMD_SUBMIT_3D", b -> b.submitCommand(ctx, commands, new long[0]));
        return failed != null ? failed : Reply.OK;
    }
}
