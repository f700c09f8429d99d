package dev.neep.backend.support;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.gpu.protocol.CapsetIds;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** QEMU's {@code capset_names}: capset names separated by single colons, e.g. {@code gfxstream-vulkan:cross-domain}. */
public final class CapsetNames {

    /** The property's name, QEMU's. */
    public static final String PROPERTY = "capset_names";

    private CapsetNames() {
    }

    /**
     * The names in {@code value}, in order and each once; empty for a blank value.
     *
     * @throws ConfigurationRefused naming {@code pid}, the property and the value for an empty
     *         name (two colons) or a name that is not a capset's
     */
    public static List<String> parse(String pid, String value) {
        if (value.isBlank()) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (String name : value.split(":", -1)) {
            String n = name.trim();
            if (n.isEmpty()) {
                throw new ConfigurationRefused(pid, PROPERTY, value, "has an empty capset name; separate names with"
                        + " single colons, e.g. gfxstream-vulkan:cross-domain");
            }
            if (CapsetIds.byName(n) < 0) {
                throw new ConfigurationRefused(pid, PROPERTY, value, "unknown capset '" + n + "'; the capsets are "
                        + String.join(", ", known()));
            }
            names.add(n);
        }
        return List.copyOf(names);
    }

    private static List<String> known() {
        List<String> names = new ArrayList<>();
        for (int id = CapsetIds.VIRGL; id <= CapsetIds.GFXSTREAM_COMPOSER; id++) {
            names.add(CapsetIds.name(id));
        }
        return names;
    }
}
