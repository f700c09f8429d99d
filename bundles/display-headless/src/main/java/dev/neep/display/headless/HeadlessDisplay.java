package dev.neep.display.headless;

import dev.neep.gpu.api.ScanoutId;
import org.osgi.annotation.versioning.ProviderType;

/** What the headless sink has seen, for tests; registered beside its DisplaySink service. */
@ProviderType
public interface HeadlessDisplay {

    /**
     * What scanout {@code scanoutId} of the device named {@link ScanoutId#DEFAULT_DEVICE} has
     * shown so far; all zero and null when nothing yet.
     */
    ScanoutStats stats(int scanoutId);

    /** What scanout {@code id} has shown so far; all zero and null when nothing yet. */
    ScanoutStats stats(ScanoutId id);
}
