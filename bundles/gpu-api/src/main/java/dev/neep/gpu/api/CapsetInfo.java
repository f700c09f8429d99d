package dev.neep.gpu.api;

/** One capset as GET_CAPSET_INFO reports it. */
public record CapsetInfo(int capsetId, int maxVersion, int maxSize) {
}
