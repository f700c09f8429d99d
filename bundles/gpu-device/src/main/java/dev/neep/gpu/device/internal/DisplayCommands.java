package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.protocol.CapsetIds;
import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.GetCapset;
import dev.neep.gpu.protocol.GetCapsetInfo;
import dev.neep.gpu.protocol.GetEdid;
import dev.neep.gpu.protocol.Rect;
import dev.neep.gpu.protocol.RespCapset;
import dev.neep.gpu.protocol.RespCapsetInfo;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.virtio.OnceLog;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** What the guest asks about the device: GET_DISPLAY_INFO, GET_EDID, GET_CAPSET_INFO, GET_CAPSET. */
final class DisplayCommands {
    private final BooleanSupplier edid;
    private final OnceLog log;
    private final Scanouts scanouts;
    private final BackendSlot backend;
    private final Checks checks;
    private final FrontEndModes frontEnd;

    /** {@code edid}: whether the device offers VIRTIO_GPU_F_EDID. */
    DisplayCommands(BooleanSupplier edid, OnceLog log, Scanouts scanouts, BackendSlot backend,
            Checks checks, FrontEndModes frontEnd) {
        this.edid = edid;
        this.log = log;
        this.scanouts = scanouts;
        this.backend = backend;
        this.checks = checks;
        this.frontEnd = frontEnd;
    }

    /** The outputs' modes; with a front end, once they are the ones it reports. */
    Reply getDisplayInfo() {
        return frontEnd.present() ? Reply.later(frontEnd.displayInfo(this::displayInfoOfModes)) : displayInfoOfModes();
    }

    private Reply displayInfoOfModes() {
        List<DisplayOne> modes = new ArrayList<>(scanouts.count());
        for (int i = 0; i < scanouts.count(); i++) {
            modes.add(scanouts.modeWidth(i) == 0 ? DisplayOne.DISABLED
                    : new DisplayOne(new Rect(0, 0, scanouts.modeWidth(i), scanouts.modeHeight(i)), 1, 0));
        }
        return Reply.with(CtrlType.RESP_OK_DISPLAY_INFO, hdr -> RespDisplayInfo.of(hdr, modes));
    }

    Reply getEdid(GetEdid r) {
        if (!edid.getAsBoolean()) {
            return checks.refuse(r.hdr(), "edid disabled", "GET_EDID while the device offers no VIRTIO_GPU_F_EDID",
                    RESP_ERR_UNSPEC);
        }
        if (Integer.compareUnsigned(r.scanout(), scanouts.count()) >= 0) {
            // QEMU answers an out-of-range EDID scanout with INVALID_PARAMETER, not INVALID_SCANOUT_ID.
            return checks.refuse(r.hdr(), "scanout", "scanout " + Integer.toUnsignedString(r.scanout())
                    + " >= max_outputs " + scanouts.count(), RESP_ERR_INVALID_PARAMETER);
        }
        int i = r.scanout();
        return frontEnd.present() ? Reply.later(frontEnd.edid(i, () -> edidOfMode(i))) : edidOfMode(i);
    }

    private Reply edidOfMode(int i) {
        boolean off = scanouts.modeWidth(i) == 0;
        int w = off ? scanouts.xres() : scanouts.modeWidth(i);
        int h = off ? scanouts.yres() : scanouts.modeHeight(i);
        byte[] edid = Edid.generate(w, h);
        return Reply.with(CtrlType.RESP_OK_EDID, hdr -> RespEdid.of(hdr, edid));
    }

    Reply getCapsetInfo(GetCapsetInfo r) {
        List<CapsetInfo> capsets = backend.capsets();
        if (Integer.compareUnsigned(r.capsetIndex(), capsets.size()) >= 0) {
            return checks.refuse(r.hdr(), "capset_index", "index " + Integer.toUnsignedString(r.capsetIndex())
                    + " >= num_capsets " + capsets.size(), RESP_ERR_INVALID_PARAMETER);
        }
        CapsetInfo c = capsets.get(r.capsetIndex());
        return Reply.with(CtrlType.RESP_OK_CAPSET_INFO,
                hdr -> new RespCapsetInfo(hdr, c.capsetId(), c.maxVersion(), c.maxSize()));
    }

    /** {@code writable}: the room for the answer, which the capset's size decides. */
    Reply getCapset(GetCapset r, long writable) {
        CapsetInfo info = null;
        for (CapsetInfo c : backend.capsets()) {
            if (c.capsetId() == r.capsetId()) {
                info = c;
            }
        }
        if (info == null) {
            return checks.refuse(r.hdr(), "capset_id", "capset " + CapsetIds.name(r.capsetId()) + " is not offered",
                    RESP_ERR_INVALID_PARAMETER);
        }
        if (Integer.compareUnsigned(r.capsetVersion(), info.maxVersion()) > 0) {
            return checks.refuse(r.hdr(), "capset_version", "version " + Integer.toUnsignedString(r.capsetVersion())
                    + " > max_version " + info.maxVersion(), RESP_ERR_INVALID_PARAMETER);
        }
        long size = CtrlHdr.SIZE + Integer.toUnsignedLong(info.maxSize());
        if (size > writable) {
            return checks.refuse(r.hdr(), "response buffer", "capset " + CapsetIds.name(info.capsetId()) + " needs "
                    + size + " writable bytes, chain has " + writable, RESP_ERR_UNSPEC);
        }
        byte[][] data = new byte[1][];
        int version = r.capsetVersion();
        int id = r.capsetId();
        Reply failed = backend.call("CMD_GET_CAPSET", b -> data[0] = b.capset(id, version));
        if (failed != null) {
            return failed;
        }
        if (data[0] == null || data[0].length != info.maxSize()) {
            log.host("CMD_GET_CAPSET: size", "backend gave " + (data[0] == null ? "null" : data[0].length + " bytes")
                    + " for capset " + CapsetIds.name(id) + ", its max_size is " + info.maxSize(), null);
            return Reply.error(RESP_ERR_UNSPEC);
        }
        byte[] bytes = data[0];
        return Reply.with(CtrlType.RESP_OK_CAPSET, hdr -> new RespCapset(hdr, bytes));
    }
}
