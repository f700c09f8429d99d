package dev.neep.gpu.protocol;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A driver-to-device command, decoded by {@link Command#decode}. Several commands share a
 * struct (CtxResource, TransferHost3d, UpdateCursor); {@code hdr().type()} tells them apart.
 */
@ProviderType
public sealed interface Request permits GetDisplayInfo, ResourceCreate2d, ResourceUnref, SetScanout, ResourceFlush,
        TransferToHost2d, ResourceAttachBacking, ResourceDetachBacking, GetCapsetInfo, GetCapset, GetEdid,
        ResourceAssignUuid, ResourceCreateBlob, SetScanoutBlob, CtxCreate, CtxDestroy, CtxResource,
        ResourceCreate3d, TransferHost3d, Submit3d, ResourceMapBlob, ResourceUnmapBlob, UpdateCursor {

    CtrlHdr hdr();

    /** Writes the fixed part little-endian at the target's position and advances it. */
    void encode(ByteBuffer dst);
}
