package dev.neep.backend.rutabaga.internal;

import static dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.RUTABAGA_FLAG_INFO_RING_IDX;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_INVALID_PARAMETER;
import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.backend.rutabaga.internal.RutabagaGfxFfi.rutabaga_fence;
import dev.neep.backend.support.FenceTimelines;
import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.FenceListener;
import dev.neep.gpu.api.GpuBackendException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fences one {@link RutabagaBackend} asked of its instance. With INFO_RING_IDX a fence goes
 * on its context's ring, else on the device-global timeline, as the library does; it is
 * reported when the library says it (or a later fence on the same timeline) completed.
 *
 * <p>The library knows each fence by an id of the instance's ({@link RutabagaInstance#nextFenceId}),
 * not the caller's: the instance outlives its backends, and a fence of an earlier backend that
 * the library reports late must not retire this one's fence of the same id. The listener gets
 * back the fences it was given. Confined to the instance's owner thread.
 */
final class RutabagaFences {

    private static final Logger LOG = LoggerFactory.getLogger(RutabagaFences.class);

    private final RutabagaInstance instance;
    /** Pending fences as the library knows them, per timeline. */
    private final FenceTimelines pending;
    /** The listener's fences by the id the library knows them by. */
    private final Map<Long, Fence> given = new HashMap<>();
    /** The first id of this backend's: anything older belongs to an earlier one. */
    private final long first;

    RutabagaFences(RutabagaInstance instance, FenceListener listener, long first) {
        this.instance = instance;
        this.first = first;
        this.pending = new FenceTimelines(asked -> {
            Fence fence = given.remove(asked.fenceId());
            if (fence != null) {
                listener.fenceSignalled(fence);
            }
        }, "librutabaga_gfx_ffi");
    }

    /** Asks the library to signal {@code fence}; the caller checked a ring fence's context. */
    void create(Fence fence) throws GpuBackendException {
        long timeline = timeline(fence.flags(), fence.ctxId(), fence.ringIdx());
        Fence asked = new Fence(fence.flags(), instance.nextFenceId(), fence.ctxId(), fence.ringIdx());
        given.put(asked.fenceId(), fence);
        pending.add(timeline, asked);
        rutabaga_fence args = new rutabaga_fence();
        args.flags = asked.flags();
        args.fence_id = asked.fenceId();
        args.ctx_id = asked.ctxId();
        args.ring_idx = asked.ringIdx();
        int rc = instance.lib.rutabaga_create_fence(instance.pointer(), args);
        if (rc != 0) {
            pending.remove(timeline, asked);
            given.remove(asked.fenceId());
            throw instance.failure("rutabaga_create_fence(" + fence + ")", rc,
                    fence.onRing() ? RESP_ERR_INVALID_PARAMETER : RESP_ERR_UNSPEC);
        }
    }

    /** The library completed {@code done}. */
    void retire(Fence done) {
        if (done.fenceId() < first) {
            LOG.debug("fence {} of an earlier backend on this rutabaga instance completed late", done);
            return;
        }
        pending.retireUpTo(timeline(done.flags(), done.ctxId(), done.ringIdx()), done.fenceId(), done);
    }

    /** See {@link FenceTimelines#dropContext}. */
    void dropContext(int ctxId) {
        pending.dropContext(ctxId);
    }

    /** Forgets every pending fence, at close. */
    void clear() {
        pending.clear();
        given.clear();
    }

    // gfxstream reports a global fence with ctx_id 0 whatever it was created with: global
    // fences are keyed by nothing else.
    private static long timeline(int flags, int ctxId, int ringIdx) {
        if ((flags & RUTABAGA_FLAG_INFO_RING_IDX) == 0) {
            return FenceTimelines.GLOBAL;
        }
        return FenceTimelines.ring(ctxId, ringIdx & 0xff);
    }
}
