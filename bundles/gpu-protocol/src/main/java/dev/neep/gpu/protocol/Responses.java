package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;

/** Decoding of a response whose type is not yet known, as a driver reads it. */
public final class Responses {
    private Responses() {
    }

    /**
     * Decodes the response at the source's position: a header-only {@link RespNoData} for
     * RESP_OK_NODATA and RESP_ERR_*, the matching struct for the other RESP_OK_* types (for
     * RESP_OK_CAPSET every byte up to the limit is capset data).
     */
    public static Decoded<Response> decode(ByteBuffer src) {
        Decoded<CtrlHdr> hdr = CtrlHdr.decode(src.duplicate());
        if (!hdr.isOk()) {
            return Decoded.failed(hdr.error());
        }
        int type = hdr.value().type();
        switch (type) {
            case CtrlType.RESP_OK_NODATA: return widen(RespNoData.decode(src));
            case CtrlType.RESP_OK_DISPLAY_INFO: return widen(RespDisplayInfo.decode(src));
            case CtrlType.RESP_OK_CAPSET_INFO: return widen(RespCapsetInfo.decode(src));
            case CtrlType.RESP_OK_CAPSET: return widen(RespCapset.decode(src));
            case CtrlType.RESP_OK_EDID: return widen(RespEdid.decode(src));
            case CtrlType.RESP_OK_RESOURCE_UUID: return widen(RespResourceUuid.decode(src));
            case CtrlType.RESP_OK_MAP_INFO: return widen(RespMapInfo.decode(src));
            default:
                if (CtrlType.isError(type)) {
                    return widen(RespNoData.decode(src));
                }
                return Decoded.failed(DecodeError.unknownType(type));
        }
    }

    // Safe: Decoded is immutable, so a Decoded<Sub> can be read as a Decoded<Response>.
    @SuppressWarnings("unchecked")
    private static Decoded<Response> widen(Decoded<? extends Response> d) {
        return (Decoded<Response>) d;
    }
}
