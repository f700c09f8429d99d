package dev.neep.backend.virgl.internal;

import dev.neep.backend.support.CapsetNames;
import dev.neep.backend.support.Wsi;
import dev.neep.config.support.ConfigurationRefused;
import dev.neep.gpu.protocol.CapsetIds;
import java.util.ArrayList;
import java.util.List;

/**
 * The virgl backend's settings, checked once.
 *
 * @param capsets     the capset ids to offer, virgl (1) and virgl2 (2) only; none gives 2D only
 * @param headless    {@code wsi=headless}: the sinks get geometry, no pixels
 * @param libraryPath where libvirglrenderer is, blank for where it usually is
 */
record VirglSettings(List<Integer> capsets, boolean headless, String libraryPath) {

    /** What the library offers, in the order QEMU's virtio-gpu-gl lists them. */
    static final List<Integer> OFFERED = List.of(CapsetIds.VIRGL, CapsetIds.VIRGL2);

    VirglSettings {
        capsets = List.copyOf(capsets);
    }

    /**
     * @throws ConfigurationRefused naming the property and the value: a capset the library
     *         does not offer, a {@code wsi} other than surfaceless or headless
     */
    static VirglSettings from(VirglBackendConfig config) {
        List<Integer> ids = new ArrayList<>();
        for (String name : CapsetNames.parse(VirglBackendConfig.PID, config.capset__names())) {
            int id = CapsetIds.byName(name);
            if (!OFFERED.contains(id)) {
                throw new ConfigurationRefused(VirglBackendConfig.PID, CapsetNames.PROPERTY, config.capset__names(),
                        "capset " + name + " is not one libvirglrenderer offers; it offers virgl and virgl2");
            }
            ids.add(id);
        }
        return new VirglSettings(ids, Wsi.headless(VirglBackendConfig.PID, config.wsi()), config.library__path());
    }
}
