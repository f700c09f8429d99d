package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.Fence;
import dev.neep.gpu.device.internal.Framing.Processed;
import dev.neep.gpu.device.internal.ParkedFences.Timeline;
import dev.neep.virtio.ChainException;
import dev.neep.virtio.DescriptorChain;
import dev.neep.virtio.GuestMemoryException;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.Virtqueue;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The queue layer: the control and cursor virtqueues from DRIVER_OK until reset, the chains
 * popped from them, the answers of fenced commands parked until their fence signals, and the
 * one place chains go to the used ring and interrupts are decided.
 *
 * <p>Runs on the device thread, except {@link #kick}, which only schedules a drain there.
 */
final class CommandQueues {
    static final int CONTROL_QUEUE = 0;
    static final int CURSOR_QUEUE = 1;
    static final int QUEUE_COUNT = 2;
    private static final long POLL_MICROS = 1000;

    /** A fenced command whose response is written and whose chain waits for its fence. */
    private record Pending(DescriptorChain chain, long written) {
    }

    private final OnceLog log;
    private final DeviceThread thread;
    private final DeviceCore core;
    private final ParkedFences<Pending> fences = new ParkedFences<>();
    private final AtomicBoolean[] kicked = {new AtomicBoolean(), new AtomicBoolean()};
    private List<Virtqueue> queues = List.of();
    private Interrupts interrupts;
    private boolean active;
    private ScheduledFuture<?> poller;

    CommandQueues(OnceLog log, DeviceThread thread, DeviceCore core) {
        this.log = log;
        this.thread = thread;
        this.core = core;
    }

    /** The driver is ready (DRIVER_OK): serves {@code virtqueues}, and whatever they already hold. */
    void activate(List<Virtqueue> virtqueues, Interrupts driverInterrupts) {
        queues = List.copyOf(virtqueues);
        interrupts = driverInterrupts;
        active = true;
        drain(CONTROL_QUEUE);
        drain(CURSOR_QUEUE);
    }

    /** Forgets the queues (reset); the caller has released the parked fences first. */
    void deactivate() {
        queues = List.of();
        interrupts = null;
        active = false;
    }

    boolean active() {
        return active;
    }

    /** The driver notified {@code queueIndex} (any thread): a drain runs on the device thread, once for a burst. */
    void kick(int queueIndex) {
        if (queueIndex < 0 || queueIndex >= QUEUE_COUNT) {
            log.guest("notify", "queue " + queueIndex + " does not exist");
            return;
        }
        if (kicked[queueIndex].compareAndSet(false, true)) {
            thread.execute(() -> {
                kicked[queueIndex].set(false);
                drain(queueIndex);
            });
        }
    }

    private void drain(int queueIndex) {
        if (!active) {
            return;
        }
        Virtqueue q = queue(queueIndex);
        if (q == null) {
            return;
        }
        boolean used = false;
        try {
            do {
                q.disableNotifications();
                for (Optional<DescriptorChain> next = q.pop(); next.isPresent(); next = q.pop()) {
                    used |= handle(queueIndex, q, next.get());
                }
            } while (q.enableNotifications());
        } catch (GuestMemoryException | ChainException e) {
            log.guest("queue " + queueIndex + ": ring", e.getMessage());
        } catch (RuntimeException e) {
            log.host("queue " + queueIndex + ": " + e.getClass().getName(), "processing the queue failed", e);
        }
        core.pollBackend();
        if (used) {
            notifyQueue(queueIndex, q);
        }
        startPollingIfNeeded();
    }

    /** Handles one chain; true when it went to the used ring now (false: parked on a fence). */
    private boolean handle(int queueIndex, Virtqueue q, DescriptorChain chain) {
        if (chain.fault() != null) {
            log.guest("queue " + queueIndex + ": malformed chain", chain.fault());
            q.addUsed(chain, 0);
            return true;
        }
        if (queueIndex == CURSOR_QUEUE) {
            try {
                core.cursor(chain.reader());
            } catch (GuestMemoryException | ChainException e) {
                log.guest("cursorq: guest memory", e.getMessage());
            } catch (RuntimeException e) {
                log.host("cursorq: " + e.getClass().getName(), "a cursor command failed", e);
            }
            q.addUsed(chain, 0);
            return true;
        }
        Processed p;
        try {
            p = core.control(chain.reader(), chain.writer());
        } catch (GuestMemoryException | ChainException e) {
            log.guest("controlq: guest memory", e.getMessage());
            q.addUsed(chain, chain.writer().written());
            return true;
        } catch (RuntimeException e) {
            log.host("controlq: " + e.getClass().getName(), "a command failed", e);
            q.addUsed(chain, chain.writer().written());
            return true;
        }
        if (p.parked()) {
            fences.park(p.timeline(), p.fenceId(), new Pending(chain, p.written()));
            return false;
        }
        q.addUsed(chain, p.written());
        return true;
    }

    private Virtqueue queue(int index) {
        return index < queues.size() ? queues.get(index) : null;
    }

    private void notifyQueue(int queueIndex, Virtqueue q) {
        if (interrupts != null && q.needsNotification()) {
            interrupts.signalQueue(queueIndex);
        }
    }

    /** Raises a configuration change interrupt, while a driver is there to take it. */
    void signalConfigChange() {
        if (active && interrupts != null) {
            interrupts.signalConfigChange();
        }
    }

    // ---- parked fences ----

    /** The backend signalled {@code fence} (of the backend instance in use): its timeline moves on. */
    void fenceSignalled(Fence fence) {
        if (!active) {
            return; // a reset since: nothing of it is parked
        }
        Timeline timeline = Timeline.of(fence.onRing(), fence.ctxId(), fence.ringIdx() & 0xff);
        complete(fences.signal(timeline, fence.fenceId()));
        if (fences.parked() == 0) {
            stopPolling();
        }
    }

    /** Context {@code ctxId} is gone: its rings' fences will never be signalled. */
    void contextDestroyed(int ctxId) {
        complete(fences.drainContext(ctxId));
    }

    /**
     * Drops every parked fence. Their chains go to the used ring when {@code complete} and a
     * driver is active (a backend swap: the guest must not wait forever for fences the closed
     * backend will never signal); on reset they are dropped.
     */
    void releaseParked(boolean complete) {
        stopPolling();
        List<Pending> parked = fences.drainAll();
        if (complete && active) {
            complete(parked);
        }
    }

    int parked() {
        return fences.parked();
    }

    private void complete(List<Pending> done) {
        Virtqueue q = queue(CONTROL_QUEUE);
        if (done.isEmpty() || q == null) {
            return;
        }
        for (Pending p : done) {
            q.addUsed(p.chain(), p.written());
        }
        notifyQueue(CONTROL_QUEUE, q);
    }

    private void startPollingIfNeeded() {
        if (poller == null && fences.parked() > 0 && core.hasBackend()) {
            poller = thread.every(POLL_MICROS, () -> {
                if (fences.parked() == 0) {
                    stopPolling();
                } else {
                    core.pollBackend();
                }
            });
        }
    }

    private void stopPolling() {
        if (poller != null) {
            poller.cancel(false);
            poller = null;
        }
    }
}
