package dev.neep.gpu.device.internal;

import static dev.neep.gpu.protocol.CtrlType.RESP_ERR_UNSPEC;

import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.virtio.OnceLog;
import java.util.List;

/**
 * The backend as the handlers see it: the bound instance (or why there is none), the
 * capsets it offers, and the one way to call it, which turns its failures into answers.
 * Which backend is bound, and when it is opened and closed, is the device's business.
 *
 * <p>Confined to the device thread.
 */
final class BackendSlot {

    @FunctionalInterface
    interface BackendCall {
        void run(GpuBackend backend) throws GpuBackendException;
    }

    private final OnceLog log;
    private final PixelSeqlock pixels;
    private GpuBackend backend;
    private String noBackendReason = "no backend bound yet";
    private List<CapsetInfo> capsets = List.of();
    private boolean headless;

    /** {@code pixels}: bumped around every call, since any call may change pixels a sink reads. */
    BackendSlot(OnceLog log, PixelSeqlock pixels) {
        this.log = log;
        this.pixels = pixels;
    }

    /** Uses {@code b} from now on (null: none, for {@code reason}). */
    void use(GpuBackend b, String reason) {
        backend = b;
        noBackendReason = reason;
        capsets = b == null ? List.of() : List.copyOf(b.capsets());
        headless = b != null && b.headless();
    }

    /** The bound backend's {@link GpuBackend#headless()}: the sinks get geometry, no pixels. */
    boolean headless() {
        return headless;
    }

    /** The capsets offered, in capset-index order. */
    List<CapsetInfo> capsets() {
        return capsets;
    }

    boolean offersCapset(int capsetId) {
        return capsets.stream().anyMatch(c -> c.capsetId() == capsetId);
    }

    @FunctionalInterface
    interface ReadCall<T> {
        T read(GpuBackend backend) throws GpuBackendException;
    }

    /**
     * What the bound backend gives (a frame, a held picture; without a backend, why not).
     * Bracketed like every call: a renderer reads its texture back into the resource's display
     * buffer, which sinks may be reading.
     */
    <T> T read(ReadCall<T> c) throws GpuBackendException {
        if (backend == null) {
            throw new GpuBackendException(RESP_ERR_UNSPEC, noBackendReason);
        }
        pixels.beginWrite();
        try {
            return c.read(backend);
        } finally {
            pixels.endWrite();
        }
    }

    /** Calls the backend; null when it succeeded, else the answer, its cause logged once. */
    Reply call(String what, BackendCall c) {
        if (backend == null) {
            log.host("no backend", noBackendReason + "; every command that needs one is answered RESP_ERR_UNSPEC",
                    null);
            return Reply.error(RESP_ERR_UNSPEC);
        }
        pixels.beginWrite();
        try {
            c.run(backend);
            return null;
        } catch (GpuBackendException e) {
            int type = validError(e.responseType());
            log.host(what + ": " + CtrlType.name(type), e.getMessage(), e);
            return Reply.error(type);
        } catch (RuntimeException e) {
            log.host(what + ": " + e.getClass().getName(), "the backend threw against its contract", e);
            return Reply.error(RESP_ERR_UNSPEC);
        } finally {
            pixels.endWrite();
        }
    }

    /** Gives the backend its turn to retire work and report fences. */
    void poll() {
        if (backend != null) {
            try {
                backend.poll();
            } catch (RuntimeException e) {
                log.host("backend poll", "poll threw", e);
            }
        }
    }

    boolean isBound() {
        return backend != null;
    }

    /** The backend's error type when it is one, else RESP_ERR_UNSPEC. */
    static int validError(int type) {
        return CtrlType.isError(type) ? type : RESP_ERR_UNSPEC;
    }
}
