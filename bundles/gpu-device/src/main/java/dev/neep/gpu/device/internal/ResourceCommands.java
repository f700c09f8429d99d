package dev.neep.gpu.device.internal;

import static dev.neep.gpu.device.internal.Checks.rect;
import static dev.neep.gpu.device.internal.Checks.size;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.api.Transfer;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.Formats;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.RespResourceUuid;
import dev.neep.gpu.protocol.ResourceAssignUuid;
import dev.neep.gpu.protocol.ResourceAttachBacking;
import dev.neep.gpu.protocol.ResourceCreate2d;
import dev.neep.gpu.protocol.ResourceDetachBacking;
import dev.neep.gpu.protocol.ResourceUnref;
import dev.neep.gpu.protocol.TransferToHost2d;
import dev.neep.virtio.ChainReader;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * 2D resources and guest backing: RESOURCE_CREATE_2D, RESOURCE_UNREF, RESOURCE_ATTACH_BACKING,
 * RESOURCE_DETACH_BACKING, RESOURCE_ASSIGN_UUID and TRANSFER_TO_HOST_2D. Each checks every field
 * before the backend is called, and records the result only when the backend succeeded.
 */
final class ResourceCommands {
    private final ResourceTable resources;
    private final Scanouts scanouts;
    private final BackendSlot backend;
    private final Checks checks;
    private final IntConsumer detachEverywhere;
    private final Function<Resource, Reply> unmapIfMapped;

    /**
     * {@code detachEverywhere} detaches a resource from every context holding it, before it goes;
     * {@code unmapIfMapped} takes it out of the host-visible region first.
     */
    ResourceCommands(ResourceTable resources, Scanouts scanouts, BackendSlot backend, Checks checks,
            IntConsumer detachEverywhere, Function<Resource, Reply> unmapIfMapped) {
        this.resources = resources;
        this.scanouts = scanouts;
        this.backend = backend;
        this.checks = checks;
        this.detachEverywhere = detachEverywhere;
        this.unmapIfMapped = unmapIfMapped;
    }

    Reply create2d(ResourceCreate2d r) {
        Reply bad = checks.newResourceId(r.hdr(), r.resourceId());
        if (bad != null) {
            return bad;
        }
        if (!Formats.isSupported2d(r.format())) {
            return checks.refuse(r.hdr(), "format", "format " + Formats.name(r.format()) + " is not a 2D format",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (r.width() == 0 || r.height() == 0) {
            return checks.refuse(r.hdr(), "size", "zero width or height: " + size(r.width(), r.height()),
                    RESP_ERR_INVALID_PARAMETER);
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Math.multiplyExact(Integer.toUnsignedLong(r.width()),
                    Integer.toUnsignedLong(r.height())), Formats.bytesPerPixel(r.format()));
        } catch (ArithmeticException e) {
            return checks.refuse(r.hdr(), "size overflow", "width x height x bpp overflows: "
                    + size(r.width(), r.height()), RESP_ERR_INVALID_PARAMETER);
        }
        bad = checks.hostmem(r.hdr(), bytes, size(r.width(), r.height()) + " needs " + bytes + " bytes");
        if (bad != null) {
            return bad;
        }
        Reply failed = backend.call("CMD_RESOURCE_CREATE_2D",
                b -> b.resourceCreate2d(r.resourceId(), r.format(), r.width(), r.height()));
        if (failed != null) {
            return failed;
        }
        resources.add(Resource.twoD(r.resourceId(), r.format(), r.width(), r.height(), bytes));
        return Reply.OK;
    }

    Reply unref(ResourceUnref r) {
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return checks.unknownResource(r.hdr(), r.resourceId());
        }
        return release(res);
    }

    /** Unreferences every resource, as a reset does. */
    void releaseAll() {
        for (Resource res : resources.all()) {
            release(res);
        }
    }

    private Reply release(Resource res) {
        // The driver must never see memory the backend has freed (QEMU's review of its blob patch).
        Reply unmapped = unmapIfMapped.apply(res);
        scanouts.disableShowing(res);
        detachEverywhere.accept(res.id);
        // The backend drops whatever backing is still attached (CVE-2016-9912: unref must not leak it).
        Reply failed = backend.call("CMD_RESOURCE_UNREF", b -> b.resourceUnref(res.id));
        // The guest's resource is gone whatever the backend said: keep the device's account exact.
        resources.remove(res);
        return failed != null ? failed : unmapped;
    }

    Reply attachBacking(ResourceAttachBacking r, ChainReader trailing) {
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return checks.unknownResource(r.hdr(), r.resourceId());
        }
        if (res.hasBacking()) {
            // QEMU answers ERR_UNSPEC and keeps the first backing (CVE-2017-5552 was a leak here).
            return checks.refuse(r.hdr(), "backing already attached", res + " already has backing; the first is kept",
                    RESP_ERR_UNSPEC);
        }
        Backing backing = checks.backing(r.hdr(), r.nrEntries(), trailing);
        if (backing.refused() != null) {
            return backing.refused();
        }
        Reply failed = backend.call("CMD_RESOURCE_ATTACH_BACKING", b -> b.attachBacking(res.id, backing.views()));
        if (failed != null) {
            return failed; // the views are dropped with 'backing': nothing is kept
        }
        res.attach(backing.views(), backing.length());
        return Reply.OK;
    }

    Reply detachBacking(ResourceDetachBacking r) {
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return checks.unknownResource(r.hdr(), r.resourceId());
        }
        if (res.isBlob()) {
            return checks.refuse(r.hdr(), "blob backing", res + ": a blob's guest pages are fixed at creation",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (!res.hasBacking()) {
            return checks.refuse(r.hdr(), "no backing", res + " has no backing to detach", RESP_ERR_UNSPEC);
        }
        Reply failed = backend.call("CMD_RESOURCE_DETACH_BACKING", b -> b.detachBacking(res.id));
        if (failed != null) {
            return failed;
        }
        res.detach();
        return Reply.OK;
    }

    Reply assignUuid(ResourceAssignUuid r) {
        Resource res = resources.get(r.resourceId());
        if (res == null) {
            return checks.unknownResource(r.hdr(), r.resourceId());
        }
        if (res.uuid == null) {
            res.uuid = UUID.randomUUID();
        }
        UUID uuid = res.uuid;
        return Reply.with(CtrlType.RESP_OK_RESOURCE_UUID, hdr -> new RespResourceUuid(hdr, uuid));
    }

    /**
     * The one check of a 2D transfer, before the backend sees it: the rectangle lies inside the
     * resource, and the rows it reads ({@link Rect#end}, the resource's stride apart from
     * {@code offset}) lie inside the backing.
     */
    Reply transferToHost2d(TransferToHost2d t) {
        Resource res = resources.get(t.resourceId());
        if (res == null) {
            return checks.unknownResource(t.hdr(), t.resourceId());
        }
        if (res.isBlob()) {
            // The guest's pages are the blob: nothing to copy (QEMU answers OK the same way).
            return Reply.OK;
        }
        if (!res.hasBacking()) {
            return checks.refuse(t.hdr(), "no backing", res + " has no backing to transfer from", RESP_ERR_UNSPEC);
        }
        Rect r = t.r();
        if (!r.within(res.width, res.height)) {
            return checks.refuse(t.hdr(), "rect", rect(r) + " outside " + res + " of " + size(res.width, res.height),
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (t.offset() < 0) {
            return checks.refuse(t.hdr(), "offset", "offset " + Long.toUnsignedString(t.offset())
                    + " beyond any backing", RESP_ERR_INVALID_PARAMETER);
        }
        if (res.kind == Resource.Kind.TWO_D && r.width() != 0 && r.height() != 0) {
            int bpp = Formats.bytesPerPixel(res.format);
            long end = r.end(t.offset(), Integer.toUnsignedLong(res.width) * bpp, bpp);
            if (end < 0 || end > res.backingLength()) {
                return checks.refuse(t.hdr(), "backing too small", rect(r) + " at offset " + t.offset()
                        + " reads up to byte " + (end < 0 ? "beyond 2^63" : Long.toString(end)) + " of " + res + "'s "
                        + res.backingLength() + " bytes of backing", RESP_ERR_INVALID_PARAMETER);
            }
        }
        Transfer transfer = Transfer.of2d(r.x(), r.y(), r.width(), r.height(), t.offset());
        Reply failed = backend.call("CMD_TRANSFER_TO_HOST_2D", b -> b.transferWrite(0, res.id, transfer));
        return failed != null ? failed : Reply.OK;
    }
}
