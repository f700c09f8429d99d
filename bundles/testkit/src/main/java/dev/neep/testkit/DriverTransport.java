package dev.neep.testkit;

import dev.neep.gpu.protocol.CtrlHdr;
import dev.neep.gpu.protocol.Request;
import dev.neep.gpu.protocol.Response;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.InvalidQueueException;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.Virtq;
import dev.neep.virtio.Virtqueue;
import dev.neep.virtio.driver.DriverQueue;
import dev.neep.virtio.driver.GuestAllocator;
import dev.neep.virtio.driver.UsedElement;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The queue plumbing under {@link GpuDriver}: what a transport and the virtio core of a
 * driver do, with no GPU command in it. It lays out the two virtqueues, hands the device an
 * {@link Interrupts} that counts and wakes, places chains and kicks, and waits, bounded, by
 * draining used rings as interrupts arrive, recording fences from fenced answers on the way.
 * Kept apart from {@link GpuDriver} so that the typed commands read as the protocol they
 * speak and this part as the virtio rules it keeps (interrupts required, EVENT_IDX re-check).
 *
 * <p>Thread-safe: one lock guards the rings, outstanding chains, fences and history; the
 * device's threads only count interrupts and wake waiters.
 */
final class DriverTransport {
    static final String[] QUEUE_NAMES = {"control", "cursor"};

    private static final long GLOBAL_TIMELINE = -1;
    private static final int HISTORY = 16;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final GuestAllocator allocator;
    private final GpuDriver.Options options;
    private final DriverQueue[] queues = new DriverQueue[2];
    private final List<Map<Integer, PendingCommand>> pending = List.of(new HashMap<>(), new HashMap<>());
    private final int[] taken = new int[2];
    private final int[] drainedAtInterrupt = new int[2];
    private final AtomicInteger[] queueInterrupts = {new AtomicInteger(), new AtomicInteger()};
    private final AtomicInteger configInterrupts = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signalled = lock.newCondition();
    private final Map<Long, Long> fences = new LinkedHashMap<>();
    private final Deque<String> history = new ArrayDeque<>();
    private final List<Long> ringAllocations = new ArrayList<>();

    DriverTransport(VirtioDevice device, GuestMemory memory, GuestAllocator allocator, GpuDriver.Options options) {
        this.device = device;
        this.memory = memory;
        this.allocator = allocator;
        this.options = options;
    }

    /** Lays out both queues in guest memory and activates the device with {@code features}. */
    void activate(long features) {
        boolean eventIdx = VirtioFeatures.has(features, VirtioFeatures.VIRTIO_RING_F_EVENT_IDX);
        List<Virtqueue> deviceView = new ArrayList<>();
        for (int q = 0; q < 2; q++) {
            int size = Math.min(options.queueSize(), Integer.highestOneBit(Math.max(1, device.maxQueueSize(q))));
            long desc = allocateRing(Virtq.descTableSize(size), Virtq.DESC_ALIGN);
            long avail = allocateRing(Virtq.availRingSize(size), Virtq.AVAIL_ALIGN);
            long used = allocateRing(Virtq.usedRingSize(size), Virtq.USED_ALIGN);
            queues[q] = new DriverQueue(memory, size, desc, avail, used, eventIdx);
            try {
                // What a transport builds from the addresses the driver wrote to it.
                deviceView.add(new Virtqueue(q, memory, size, desc, avail, used, eventIdx));
            } catch (InvalidQueueException e) {
                throw new IllegalStateException("the " + QUEUE_NAMES[q] + " queue laid out by the driver is invalid: "
                        + e.getMessage(), e);
            }
        }
        device.activate(features, memory, List.copyOf(deviceView), new DriverInterrupts());
    }

    private long allocateRing(long length, int alignment) {
        long at = allocator.allocate(length, alignment);
        ringAllocations.add(at);
        return at;
    }

    /** The interrupt path the device is given: counts and wakes waiters, nothing more. */
    private final class DriverInterrupts implements Interrupts {
        @Override
        public void signalQueue(int queueIndex) {
            if (queueIndex >= 0 && queueIndex < queueInterrupts.length) {
                queueInterrupts[queueIndex].incrementAndGet();
            }
            wake();
        }

        @Override
        public void signalConfigChange() {
            configInterrupts.incrementAndGet();
            wake();
        }

        private void wake() {
            lock.lock();
            try {
                signalled.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    Duration timeout() {
        return options.timeout();
    }

    DriverQueue queue(int index) {
        return queues[index];
    }

    int queueInterrupts(int queueIndex) {
        return queueInterrupts[queueIndex].get();
    }

    int configInterrupts() {
        return configInterrupts.get();
    }

    void awaitConfigInterrupts(int count) {
        awaitCondition(() -> configInterrupts.get() >= count,
                () -> count + " configuration-change interrupts (have " + configInterrupts.get() + ")",
                options.timeout(), false);
    }

    // ---- sending ----

    /** Places {@code readable}, then a response buffer of {@code responseLength} bytes (none when 0), on {@code queue}. */
    PendingCommand send(int queue, Request request, String what, List<ByteBuffer> readable, long responseLength) {
        PendingCommand command;
        lock.lock();
        try {
            long[] response = responseLength > 0 ? new long[] {responseLength} : new long[0];
            int head = queues[queue].submit(allocator, readable, response);
            command = new PendingCommand(this, request, what, queue, head);
            pending.get(queue).put(head, command);
        } finally {
            lock.unlock();
        }
        // Outside the lock: a device may answer, and interrupt, from inside queueNotify.
        if (queues[queue].kickNeeded()) {
            device.queueNotify(queue);
        }
        return command;
    }

    // ---- fences ----

    /** The highest fence id answered on the global timeline, 0 before any. */
    long signalledFence() {
        return signalledFence(GLOBAL_TIMELINE);
    }

    long signalledFence(int ctxId, int ringIdx) {
        return signalledFence(timeline(ctxId, ringIdx));
    }

    private long signalledFence(long timeline) {
        lock.lock();
        try {
            return fences.getOrDefault(timeline, 0L);
        } finally {
            lock.unlock();
        }
    }

    void awaitFence(long fenceId) {
        awaitCondition(() -> fences.getOrDefault(GLOBAL_TIMELINE, 0L) >= fenceId,
                () -> "fence " + fenceId + " on the global timeline", options.timeout(), true);
    }

    void awaitFence(int ctxId, int ringIdx, long fenceId) {
        long timeline = timeline(ctxId, ringIdx);
        awaitCondition(() -> fences.getOrDefault(timeline, 0L) >= fenceId,
                () -> "fence " + fenceId + " on ctx " + ctxId + " ring " + ringIdx, options.timeout(), true);
    }

    private static long timeline(int ctxId, int ringIdx) {
        return (Integer.toUnsignedLong(ctxId) << 8) | (ringIdx & 0xff);
    }

    // ---- waiting ----

    void await(PendingCommand command, Duration timeout) {
        awaitCondition(command::isDone, () -> "answer to " + command.describe(), timeout, true);
    }

    /**
     * Waits until {@code done}, draining used rings as interrupts arrive. When time runs out
     * the rings are looked at once more: an answer found only then means the device never
     * interrupted for it, and with {@link GpuDriver.Options#requireInterrupts()} that is an error too.
     */
    private void awaitCondition(BooleanSupplier done, Supplier<String> what, Duration timeout,
            boolean answerFromRing) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                int seen = totalInterrupts();
                drain(false);
                if (done.getAsBoolean()) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                long slice = options.requireInterrupts() ? left : Math.min(left, POLL_NANOS);
                while (totalInterrupts() == seen && slice > 0) {
                    slice = signalled.awaitNanos(slice);
                }
            }
            drain(true);
            if (done.getAsBoolean()) {
                if (answerFromRing && options.requireInterrupts()) {
                    throw new GpuTimeoutException(what.get() + " is in the used ring, but the device sent no"
                            + " interrupt for it within " + timeout.toMillis() + " ms; " + report());
                }
                return;
            }
            throw new GpuTimeoutException("no " + what.get() + " within " + timeout.toMillis() + " ms; " + report());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GpuTimeoutException("interrupted while waiting for " + what.get() + "; " + report());
        } finally {
            lock.unlock();
        }
    }

    private int totalInterrupts() {
        return queueInterrupts[0].get() + queueInterrupts[1].get() + configInterrupts.get();
    }

    /** Takes every used element of the queues that were signalled since their last drain (all when forced). */
    private void drain(boolean force) {
        for (int q = 0; q < queues.length; q++) {
            int interrupts = queueInterrupts[q].get();
            if (!force && options.requireInterrupts() && interrupts == drainedAtInterrupt[q]) {
                continue;
            }
            drainedAtInterrupt[q] = interrupts;
            DriverQueue queue = queues[q];
            while (true) {
                for (Optional<UsedElement> e = queue.pollUsed(); e.isPresent(); e = queue.pollUsed()) {
                    taken[q] = (taken[q] + 1) & 0xffff;
                    complete(q, e.get());
                }
                if (!queue.eventIdx()) {
                    break;
                }
                // Ask for an interrupt at the next entry, then look again: an entry published
                // before the device could see the new used_event would get no interrupt.
                queue.setUsedEvent(taken[q]);
                VarHandle.fullFence();
                if (queue.usedIndex() == taken[q]) {
                    break;
                }
            }
        }
    }

    private void complete(int queue, UsedElement element) {
        PendingCommand command = pending.get(queue).remove(element.id());
        if (command == null) {
            remember(QUEUE_NAMES[queue] + ": used element for head " + element.id() + " that the driver never sent");
            return;
        }
        command.complete(element);
        remember(command.toString());
        Response response = command.responseOrNull();
        if (response != null && response.hdr().isFenced()) {
            CtrlHdr h = response.hdr();
            long timeline = h.hasRingIdx() ? timeline(h.ctxId(), h.ringIdx()) : GLOBAL_TIMELINE;
            fences.merge(timeline, h.fenceId(), Math::max);
        }
    }

    private void remember(String line) {
        if (history.size() == HISTORY) {
            history.removeFirst();
        }
        history.addLast(line);
    }

    /** What the driver sees now: ring indices, outstanding chains, interrupts, fences, last completions. */
    String report() {
        lock.lock();
        try {
            StringBuilder b = new StringBuilder();
            for (int q = 0; q < queues.length; q++) {
                b.append(QUEUE_NAMES[q]).append(" queue: avail idx ").append(queues[q].availIndex())
                        .append(", used idx ").append(queues[q].usedIndex())
                        .append(", taken ").append(taken[q])
                        .append(", interrupts ").append(queueInterrupts[q].get())
                        .append(", outstanding ").append(pending.get(q).values()).append("; ");
            }
            b.append("config interrupts ").append(configInterrupts.get());
            b.append("; fences answered ").append(describeFences());
            b.append("; last completions ").append(history);
            return b.toString();
        } finally {
            lock.unlock();
        }
    }

    private String describeFences() {
        List<String> parts = new ArrayList<>();
        fences.forEach((timeline, id) -> parts.add(timeline == GLOBAL_TIMELINE ? "global=" + id
                : "ctx " + (timeline >>> 8) + " ring " + (timeline & 0xff) + "=" + id));
        return parts.toString();
    }

    /** Resets the device (releasing everything it holds) and gives the ring memory back. */
    void close() {
        device.reset();
        lock.lock();
        try {
            ringAllocations.forEach(allocator::free);
            ringAllocations.clear();
        } finally {
            lock.unlock();
        }
    }
}
