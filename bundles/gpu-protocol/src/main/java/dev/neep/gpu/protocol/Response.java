package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/** A device-to-driver answer, decoded by {@link Responses#decode}. */
@ProviderType
public sealed interface Response permits RespNoData, RespDisplayInfo, RespCapsetInfo, RespCapset, RespEdid,
        RespResourceUuid, RespMapInfo {

    CtrlHdr hdr();

    /** The bytes {@link #encode} writes. */
    int encodedSize();

    /** Writes the response little-endian at the target's position and advances it. */
    void encode(ByteBuffer dst);
}
