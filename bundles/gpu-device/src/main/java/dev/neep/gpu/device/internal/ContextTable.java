package dev.neep.gpu.device.internal;

import java.util.HashSet;
import java.util.Set;

/** The guest's live 3D contexts by {@code ctx_id}. Confined to the device thread. */
final class ContextTable {
    private final Set<Integer> contexts = new HashSet<>();

    boolean contains(int ctxId) {
        return contexts.contains(ctxId);
    }

    void add(int ctxId) {
        contexts.add(ctxId);
    }

    void remove(int ctxId) {
        contexts.remove(ctxId);
    }

    int size() {
        return contexts.size();
    }

    void clear() {
        contexts.clear();
    }
}
