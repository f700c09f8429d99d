package dev.neep.gpu.device.internal;

import static dev.neep.gpu.device.internal.Checks.size;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_SCANOUT_ID;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.UpdateCursor;
import dev.neep.virtio.OnceLog;
import java.util.function.BooleanSupplier;

/**
 * The cursor queue's commands, UPDATE_CURSOR and MOVE_CURSOR. Their verdict is decided and
 * logged like any other command's, but goes nowhere: virtio gives cursor commands no answer.
 */
final class CursorCommands {
    /** The cursor image size every virtio-gpu driver uses (and QEMU requires). */
    static final int CURSOR_SIZE = 64;

    private final BooleanSupplier headless;
    private final OnceLog log;
    private final ResourceTable resources;
    private final Scanouts scanouts;
    private final SinkHub sinks;
    private final BackendSlot backend;
    private final Checks checks;

    /** {@code headless}: sinks get no cursor images. */
    CursorCommands(BooleanSupplier headless, OnceLog log, ResourceTable resources, Scanouts scanouts,
            SinkHub sinks, BackendSlot backend, Checks checks) {
        this.headless = headless;
        this.log = log;
        this.resources = resources;
        this.scanouts = scanouts;
        this.sinks = sinks;
        this.backend = backend;
        this.checks = checks;
    }

    /** A new cursor image (resource 0 hides it) at a new place. */
    Reply update(UpdateCursor c) {
        Reply bad = checkScanout(c);
        if (bad == null) {
            bad = define(c);
        }
        return bad != null ? bad : moved(c);
    }

    Reply move(UpdateCursor c) {
        Reply bad = checkScanout(c);
        return bad != null ? bad : moved(c);
    }

    private Reply moved(UpdateCursor c) {
        sinks.cursorMoved(c.pos().scanoutId(), c.pos().x(), c.pos().y());
        return Reply.OK;
    }

    private Reply checkScanout(UpdateCursor c) {
        int i = c.pos().scanoutId();
        if (Integer.compareUnsigned(i, scanouts.count()) >= 0) {
            return checks.refuse(c.hdr(), "scanout_id", "scanout " + Integer.toUnsignedString(i) + " >= max_outputs "
                    + scanouts.count(), RESP_ERR_INVALID_SCANOUT_ID);
        }
        return null;
    }

    private Reply define(UpdateCursor c) {
        int scanoutId = c.pos().scanoutId();
        if (c.resourceId() == 0) {
            scanouts.defineCursor(scanoutId, null);
            return null;
        }
        Resource res = resources.get(c.resourceId());
        if (res == null) {
            return checks.unknownResource(c.hdr(), c.resourceId());
        }
        // CVE-2016-9846: a cursor resource of another size must not be read as a 64x64 image.
        if (res.isBlob() || res.width != CURSOR_SIZE || res.height != CURSOR_SIZE) {
            return checks.refuse(c.hdr(), "size", res + " is " + size(res.width, res.height) + ", a cursor is "
                    + CURSOR_SIZE + "x" + CURSOR_SIZE, RESP_ERR_INVALID_PARAMETER);
        }
        if (Integer.compareUnsigned(c.hotX(), CURSOR_SIZE) >= 0
                || Integer.compareUnsigned(c.hotY(), CURSOR_SIZE) >= 0) {
            return checks.refuse(c.hdr(), "hot spot", "hot spot " + Integer.toUnsignedString(c.hotX()) + ","
                    + Integer.toUnsignedString(c.hotY()) + " outside the cursor", RESP_ERR_INVALID_PARAMETER);
        }
        if (headless.getAsBoolean()) {
            return null;
        }
        CursorPicture picture;
        try {
            picture = CursorPicture.take(backend, res.id, CURSOR_SIZE, c.hotX(), c.hotY());
        } catch (GpuBackendException | RuntimeException e) {
            log.host("CMD_UPDATE_CURSOR: pixels", "no cursor pixels for " + res + ": " + e.getMessage(), e);
            return Reply.error(RESP_ERR_UNSPEC);
        }
        scanouts.defineCursor(scanoutId, picture);
        return null;
    }
}
