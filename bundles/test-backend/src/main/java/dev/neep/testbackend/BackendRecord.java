package dev.neep.testbackend;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a device did with the {@value #KIND} backend, as a service: how often it opened one,
 * and every call it made on them, by method name, oldest first.
 */
@ProviderType
public interface BackendRecord {

    /** The kind, the provider's {@code neep.backend}. */
    String KIND = "recording";

    /** Backends opened so far. */
    int opened();

    /** The names of the calls made on them, oldest first. */
    List<String> calls();
}
