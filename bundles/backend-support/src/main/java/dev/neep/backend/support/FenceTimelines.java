package dev.neep.backend.support;

import dev.neep.gpu.api.Fence;
import dev.neep.gpu.api.FenceListener;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend's pending fences, one FIFO per timeline: the device-global one ({@link #GLOBAL}) and
 * one per context ring ({@link #ring}). Not thread-safe: a backend keeps it on its owner thread.
 * Every fence handed in is reported to the listener exactly once, by a retirement, by its
 * context's destruction, or not at all when the backend closes with it pending.
 */
public final class FenceTimelines {

    /** The device-global timeline's key. */
    public static final long GLOBAL = -1;

    private static final Logger LOG = LoggerFactory.getLogger(FenceTimelines.class);

    private final FenceListener listener;
    private final String library;
    private final Map<Long, ArrayDeque<Fence>> timelines = new HashMap<>();
    private boolean strayLogged;

    /** {@code library} names who reports fences, for the one warning about a stray report. */
    public FenceTimelines(FenceListener listener, String library) {
        this.listener = listener;
        this.library = library;
    }

    /** The key of ring {@code ringIdx} of context {@code ctxId}. */
    public static long ring(int ctxId, int ringIdx) {
        return ((long) ctxId << 32) | (ringIdx & 0xffffffffL);
    }

    /** Queues {@code fence} last on {@code timeline}. */
    public void add(long timeline, Fence fence) {
        timelines.computeIfAbsent(timeline, k -> new ArrayDeque<>()).addLast(fence);
    }

    /** Takes back the fence just {@link #add added}, whose native creation failed. */
    public void remove(long timeline, Fence fence) {
        ArrayDeque<Fence> fences = timelines.get(timeline);
        if (fences != null) {
            fences.removeLastOccurrence(fence);
        }
    }

    /**
     * Reports the fences of {@code timeline} from the oldest up to and including the first that
     * {@code last} accepts (the library may report only the newest of several retired fences).
     * When none does, the report is stray: logged once, nothing reported.
     */
    public void retireThrough(long timeline, Predicate<Fence> last, Object reported) {
        ArrayDeque<Fence> fences = timelines.getOrDefault(timeline, new ArrayDeque<>());
        if (fences.stream().noneMatch(last)) {
            stray(reported);
            return;
        }
        Fence fence;
        do {
            fence = fences.removeFirst();
            signal(fence);
        } while (!last.test(fence));
    }

    /**
     * Reports the fences at the head of {@code timeline} whose ids are at most {@code fenceId}
     * (unsigned). When the oldest is already newer, or none is pending, the report is stray.
     */
    public void retireUpTo(long timeline, long fenceId, Object reported) {
        ArrayDeque<Fence> fences = timelines.get(timeline);
        if (fences == null || fences.isEmpty() || Long.compareUnsigned(fences.peekFirst().fenceId(), fenceId) > 0) {
            stray(reported);
            return;
        }
        while (!fences.isEmpty() && Long.compareUnsigned(fences.peekFirst().fenceId(), fenceId) <= 0) {
            signal(fences.removeFirst());
        }
    }

    /**
     * Reports every fence on the rings of a destroyed context. The libraries drop them without
     * a word (the work they wait for is gone with the context); reporting them keeps the promise
     * that every fence is reported once, so no guest waiter hangs.
     */
    public void dropContext(int ctxId) {
        for (Iterator<Map.Entry<Long, ArrayDeque<Fence>>> it = timelines.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, ArrayDeque<Fence>> timeline = it.next();
            if (timeline.getKey() != GLOBAL && (int) (timeline.getKey() >>> 32) == ctxId) {
                it.remove();
                timeline.getValue().forEach(this::signal);
            }
        }
    }

    /** Forgets every pending fence, at close. */
    public void clear() {
        int unreported = timelines.values().stream().mapToInt(ArrayDeque::size).sum();
        if (unreported > 0) {
            LOG.debug("closed with {} fences not yet signalled", unreported);
        }
        timelines.clear();
    }

    private void stray(Object reported) {
        if (!strayLogged) {
            strayLogged = true;
            LOG.warn("{} reported {}, which is not pending (logged once)", library, reported);
        }
    }

    private void signal(Fence fence) {
        try {
            listener.fenceSignalled(fence);
        } catch (RuntimeException e) {
            LOG.error("fence listener failed on {}", fence, e);
        }
    }
}
