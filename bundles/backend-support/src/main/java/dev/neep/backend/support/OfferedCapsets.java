package dev.neep.backend.support;

import dev.neep.gpu.api.CapsetInfo;
import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.util.List;

/** Finding a capset the guest asked for among those a backend offers. */
public final class OfferedCapsets {

    private OfferedCapsets() {
    }

    /** The offered capset {@code capsetId}, or RESP_ERR_INVALID_PARAMETER: the guest named it. */
    public static CapsetInfo find(List<CapsetInfo> offered, int capsetId) throws GpuBackendException {
        return offered.stream().filter(c -> c.capsetId() == capsetId).findFirst()
                .orElseThrow(() -> new GpuBackendException(CtrlType.RESP_ERR_INVALID_PARAMETER,
                        "capset " + capsetId + " is not offered"));
    }
}
