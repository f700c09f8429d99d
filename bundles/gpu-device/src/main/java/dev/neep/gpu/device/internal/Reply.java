package dev.neep.gpu.device.internal;

import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.RespNoData;
import dev.neep.gpu.protocol.Response;
import java.util.function.Function;

/**
 * What a handler answers: a response type and, for the RESP_OK_* types that carry data, how
 * to build the body once the header is known. Handlers never build headers themselves: the
 * device derives the header from the request in one place, so the fence flag, fence id,
 * context and ring index are echoed the same way for every command.
 *
 * <p>Or, for a question only the front end can answer, {@link #later}: the reply comes when it
 * answers, and the control queue waits for it.
 */
record Reply(int type, Function<CtrlHdr, Response> body, Later later) {

    static final Reply OK = new Reply(CtrlType.RESP_OK_NODATA, RespNoData::new, null);

    static Reply error(int type) {
        return new Reply(type, RespNoData::new, null);
    }

    static Reply with(int type, Function<CtrlHdr, Response> body) {
        return new Reply(type, body, null);
    }

    /** The reply comes from {@code later}; until then the control queue is held. */
    static Reply later(Later later) {
        return new Reply(CtrlType.RESP_OK_NODATA, RespNoData::new, later);
    }

    boolean isOk() {
        return CtrlType.isOk(type);
    }

    @Override
    public String toString() {
        return later != null ? "answered later" : CtrlType.name(type);
    }
}
