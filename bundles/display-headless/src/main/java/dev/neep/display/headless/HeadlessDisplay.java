package dev.neep.display.headless;

import org.osgi.annotation.versioning.ProviderType;

/** What the headless sink has seen, for tests; registered beside its DisplaySink service. */
@ProviderType
public interface HeadlessDisplay {

    /** What scanout {@code scanoutId} has shown so far; all zero and null when nothing yet. */
    ScanoutStats stats(int scanoutId);
}
