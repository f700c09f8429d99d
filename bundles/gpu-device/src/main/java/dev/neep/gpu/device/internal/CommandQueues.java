package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.Fence;
import dev.neep.gpu.device.internal.Framing.Held;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The queue layer: the control and cursor virtqueues from DRIVER_OK until reset, the chains
 * popped from them, the answers of fenced commands parked until their fence signals, and the
 * one place chains go to the used ring and interrupts are decided.
 *
 * <p>A command whose reply the front end gives ({@link Later}) holds the control queue, as
 * QEMU's C back end holds it: nothing after it is popped until the front end answers or
 * {@code frontEndTimeoutMillis} pass, so the guest's commands still run in order. The cursor
 * queue goes on meanwhile.
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

    /** The control command the queue waits on; {@code timer} ends the wait. */
    private static final class Waiting {
        final DescriptorChain chain;
        final Held held;
        DeviceThread.Timer timer;

        Waiting(DescriptorChain chain, Held held) {
            this.chain = chain;
            this.held = held;
        }
    }

    private final OnceLog log;
    private final DeviceThread thread;
    private final DeviceCore core;
    private final long frontEndTimeoutMillis;
    private final ParkedFences<Pending> fences = new ParkedFences<>();
    private final AtomicBoolean[] kicked = {new AtomicBoolean(), new AtomicBoolean()};
    private List<Virtqueue> queues = List.of();
    private Interrupts interrupts;
    private boolean active;
    private DeviceThread.Timer poller;
    /** The control command whose reply the front end has not given yet; null when none. */
    private Waiting waiting;

    /** {@code frontEndTimeoutMillis}: how long the control queue waits for the front end's answer. */
    CommandQueues(OnceLog log, DeviceThread thread, DeviceCore core, long frontEndTimeoutMillis) {
        this.log = log;
        this.thread = thread;
        this.core = core;
        this.frontEndTimeoutMillis = frontEndTimeoutMillis;
    }

    /** The driver is ready (DRIVER_OK): serves {@code virtqueues}, and whatever they already hold. */
    void activate(List<Virtqueue> virtqueues, Interrupts driverInterrupts) {
        queues = List.copyOf(virtqueues);
        interrupts = driverInterrupts;
        active = true;
        drain(CONTROL_QUEUE);
        drain(CURSOR_QUEUE);
    }

    /**
     * Forgets the queues (reset), and the command waiting for the front end, whose answer is
     * then dropped; the caller has released the parked fences first.
     */
    void deactivate() {
        if (waiting != null) {
            waiting.timer.cancel();
            waiting = null;
        }
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
        if (!active || held(queueIndex)) {
            return;
        }
        Virtqueue q = queue(queueIndex);
        if (q == null) {
            return;
        }
        boolean used = false;
        try {
            // While held, notifications stay off: the drain after the answer takes what came meanwhile.
            do {
                q.disableNotifications();
                while (!held(queueIndex)) {
                    Optional<DescriptorChain> next = q.pop();
                    if (next.isEmpty()) {
                        break;
                    }
                    used |= handle(queueIndex, q, next.get());
                }
            } while (!held(queueIndex) && q.enableNotifications());
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
        if (p.held() != null) {
            hold(chain, p.held());
            return false;
        }
        return settle(q, chain, p);
    }

    /** A processed command's chain goes to the used ring (true), or waits for its fence. */
    private boolean settle(Virtqueue q, DescriptorChain chain, Processed p) {
        if (p.parked()) {
            fences.park(p.timeline(), p.fenceId(), new Pending(chain, p.written()));
            return false;
        }
        q.addUsed(chain, p.written());
        return true;
    }

    private boolean held(int queueIndex) {
        return queueIndex == CONTROL_QUEUE && waiting != null;
    }

    // ---- a command waiting for the front end ----

    private void hold(DescriptorChain chain, Held held) {
        Waiting w = new Waiting(chain, held);
        waiting = w;
        w.timer = thread.after(frontEndTimeoutMillis, () -> {
            if (waiting == w) {
                resume(w, () -> held.later().timedOut(frontEndTimeoutMillis));
            }
        });
        held.later().whenAnswered(thread::execute, () -> {
            if (waiting == w) {
                resume(w, held.later()::answer);
            }
        });
    }

    /** Answers the waiting command with {@code reply} and takes up the control queue again. */
    private void resume(Waiting w, Supplier<Reply> reply) {
        waiting = null;
        w.timer.cancel();
        Virtqueue q = queue(CONTROL_QUEUE);
        if (q == null) {
            return;
        }
        boolean used;
        try {
            used = settle(q, w.chain, core.finish(w.held, reply.get()));
        } catch (GuestMemoryException | ChainException e) {
            log.guest("controlq: guest memory", e.getMessage());
            q.addUsed(w.chain, w.chain.writer().written());
            used = true;
        } catch (RuntimeException e) {
            log.host("controlq: " + e.getClass().getName(), "a command failed", e);
            q.addUsed(w.chain, w.chain.writer().written());
            used = true;
        }
        if (used) {
            notifyQueue(CONTROL_QUEUE, q);
        }
        startPollingIfNeeded();
        drain(CONTROL_QUEUE);
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
            poller.cancel();
            poller = null;
        }
    }
}
