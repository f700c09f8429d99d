package dev.neep.gpu.device.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The guest's live 3D contexts by {@code ctx_id}, and the resources attached to each.
 *
 * <p>The attachments are kept so that a resource is detached from a context before either
 * goes: a native renderer that still lists a resource as attached to a destroyed context
 * fails to detach it when the resource goes later (gfxstream logs "context not found").
 *
 * <p>Confined to the device thread.
 */
final class ContextTable {
    private final Map<Integer, Set<Integer>> contexts = new LinkedHashMap<>();

    boolean contains(int ctxId) {
        return contexts.containsKey(ctxId);
    }

    void add(int ctxId) {
        contexts.put(ctxId, new LinkedHashSet<>());
    }

    void remove(int ctxId) {
        contexts.remove(ctxId);
    }

    /** Records that the backend attached {@code resourceId} to the live context {@code ctxId}. */
    void attach(int ctxId, int resourceId) {
        contexts.get(ctxId).add(resourceId);
    }

    /** Records that the backend detached {@code resourceId} from the live context {@code ctxId}. */
    void detach(int ctxId, int resourceId) {
        contexts.get(ctxId).remove(resourceId);
    }

    /** The resources attached to the live context {@code ctxId}, in attach order. */
    List<Integer> attached(int ctxId) {
        return List.copyOf(contexts.get(ctxId));
    }

    /** The live contexts that {@code resourceId} is attached to. */
    List<Integer> holding(int resourceId) {
        List<Integer> holders = new ArrayList<>();
        contexts.forEach((ctx, resources) -> {
            if (resources.contains(resourceId)) {
                holders.add(ctx);
            }
        });
        return holders;
    }

    /** Every live context, in creation order. */
    List<Integer> ids() {
        return List.copyOf(contexts.keySet());
    }

    int size() {
        return contexts.size();
    }
}
