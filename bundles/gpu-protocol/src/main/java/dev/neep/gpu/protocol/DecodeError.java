package dev.neep.gpu.protocol;

/**
 * Why bytes from the guest did not decode: the struct and field at fault, the value seen
 * there (for {@link Kind#TRUNCATED} the number of bytes that were available) and a reason
 * for logs. A device answers these with a RESP_ERR_* instead of failing.
 */
public record DecodeError(Kind kind, String struct, String field, long value, String reason) {

    public enum Kind {
        /** The buffer ended inside {@code field}. */
        TRUNCATED,
        /** The header's {@code type} is not one this protocol knows here; {@code value} is the type. */
        UNKNOWN_TYPE,
        /** {@code field} holds a value the struct cannot have (e.g. a count whose byte size overflows). */
        INVALID_VALUE
    }

    public static DecodeError truncated(String struct, String field, long available, long needed) {
        return new DecodeError(Kind.TRUNCATED, struct, field, available,
                "truncated: " + needed + " bytes needed, " + available + " available");
    }

    public static DecodeError unknownType(int type) {
        return new DecodeError(Kind.UNKNOWN_TYPE, CtrlHdr.STRUCT, "type", Integer.toUnsignedLong(type),
                "unknown type " + CtrlType.name(type));
    }

    public static DecodeError invalid(String struct, String field, long value, String reason) {
        return new DecodeError(Kind.INVALID_VALUE, struct, field, value, reason);
    }

    /** One line for logs: {@code virtio_gpu_set_scanout.resource_id: truncated: ...}. */
    public String message() {
        return struct + "." + field + ": " + reason;
    }
}
