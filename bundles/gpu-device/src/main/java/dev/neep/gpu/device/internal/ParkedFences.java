package dev.neep.gpu.device.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Responses of fenced commands, parked per timeline until the backend signals their fence.
 *
 * <p>A timeline is the device-global one, or — when the command carried
 * VIRTIO_GPU_FLAG_INFO_RING_IDX — the ring {@code ringIdx} of context {@code ctxId}. Keying by
 * both matters: two contexts may use the same ring index, and a fence on one must not
 * complete the other's work (QEMU keys by ring index alone).
 *
 * <p>Signalling fence {@code n} releases, in the order they were parked, every response on
 * that timeline whose fence id is at most {@code n} (unsigned, as fence ids are u64): a
 * backend may report only the newest of several completed fences.
 *
 * <p>Confined to the device thread.
 *
 * @param <T> what is parked (the device keeps the chain and its prepared response)
 */
final class ParkedFences<T> {

    /** A fence timeline; {@link #GLOBAL} unless the command named a context ring. */
    record Timeline(boolean onRing, int ctxId, int ringIdx) {
        static final Timeline GLOBAL = new Timeline(false, 0, 0);

        static Timeline of(boolean onRing, int ctxId, int ringIdx) {
            return onRing ? new Timeline(true, ctxId, ringIdx) : GLOBAL;
        }
    }

    private record Parked<T>(long fenceId, T item) {
    }

    private final Map<Timeline, ArrayDeque<Parked<T>>> timelines = new HashMap<>();
    private int parked;

    void park(Timeline timeline, long fenceId, T item) {
        timelines.computeIfAbsent(timeline, t -> new ArrayDeque<>()).addLast(new Parked<>(fenceId, item));
        parked++;
    }

    /** Removes and returns, in parking order, what waits on {@code timeline} for fences up to {@code fenceId}. */
    List<T> signal(Timeline timeline, long fenceId) {
        ArrayDeque<Parked<T>> queue = timelines.get(timeline);
        if (queue == null) {
            return List.of();
        }
        List<T> released = new ArrayList<>();
        for (Iterator<Parked<T>> it = queue.iterator(); it.hasNext();) {
            Parked<T> p = it.next();
            if (Long.compareUnsigned(p.fenceId(), fenceId) <= 0) {
                released.add(p.item());
                it.remove();
            }
        }
        if (queue.isEmpty()) {
            timelines.remove(timeline);
        }
        parked -= released.size();
        return released;
    }

    /**
     * Removes and returns, timeline by timeline in parking order, what waits on the rings of
     * context {@code ctxId}: once the context is destroyed its fences will never be signalled.
     */
    List<T> drainContext(int ctxId) {
        List<T> released = new ArrayList<>();
        for (Iterator<Map.Entry<Timeline, ArrayDeque<Parked<T>>>> it = timelines.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Timeline, ArrayDeque<Parked<T>>> e = it.next();
            if (e.getKey().onRing() && e.getKey().ctxId() == ctxId) {
                for (Parked<T> p : e.getValue()) {
                    released.add(p.item());
                }
                it.remove();
            }
        }
        parked -= released.size();
        return released;
    }

    /** Removes and returns everything parked, on every timeline (reset, backend swap). */
    List<T> drainAll() {
        List<T> all = new ArrayList<>(parked);
        for (ArrayDeque<Parked<T>> queue : timelines.values()) {
            for (Parked<T> p : queue) {
                all.add(p.item());
            }
        }
        timelines.clear();
        parked = 0;
        return all;
    }

    int parked() {
        return parked;
    }
}
