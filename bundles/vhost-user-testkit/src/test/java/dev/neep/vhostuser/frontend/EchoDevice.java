package dev.neep.vhostuser.frontend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.neep.virtio.DescriptorChain;
import dev.neep.virtio.driver.DriverQueue;
import dev.neep.virtio.driver.UsedElement;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.NotificationSource;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.Virtqueue;

/**
 * A test double of a virtio device with the GPU's id and queue count: every chain it pops
 * has its readable bytes copied, reversed, into its writable part; it signals as the ring's
 * suppression rules ask. It counts activations and resets.
 */
final class EchoDevice implements VirtioDevice {

    final AtomicInteger activations = new AtomicInteger();
    final AtomicInteger resets = new AtomicInteger();
    final AtomicInteger notifications = new AtomicInteger();
    /** The threads queueNotify came on. */
    final Set<String> notifiedOn = ConcurrentHashMap.newKeySet();
    /** Whether {@link #waitIn} takes the transport's source; a thread of the device's own then waits in it. */
    private final boolean takesSource;
    /** The threads that waited in a source, each until its source closed. */
    final List<Thread> waiters = new CopyOnWriteArrayList<>();
    final byte[] config = new byte[16];
    volatile long driverFeatures;
    private List<Virtqueue> queues = List.of();
    private Interrupts interrupts;

    EchoDevice() {
        this(false);
    }

    EchoDevice(boolean takesSource) {
        this.takesSource = takesSource;
    }

    @Override
    public boolean waitIn(NotificationSource source) {
        if (!takesSource) {
            return false;
        }
        Thread t = new Thread(() -> {
            while (source.await(-1)) {
                // the next notification
            }
        }, "echo-device");
        t.setDaemon(true);
        waiters.add(t);
        t.start();
        return true;
    }

    @Override
    public int deviceId() {
        return 16;
    }

    @Override
    public long deviceFeatures() {
        return VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_RING_PACKED) // not for vhost-user: filtered
                | 1L << 1;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int maxQueueSize(int queueIndex) {
        return 256;
    }

    @Override
    public int configSize() {
        return config.length;
    }

    @Override
    public synchronized void readConfig(int offset, byte[] dst) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = offset + i < config.length ? config[offset + i] : 0;
        }
    }

    @Override
    public synchronized void writeConfig(int offset, byte[] src) {
        for (int i = 0; i < src.length && offset + i < config.length; i++) {
            config[offset + i] = src[i];
        }
    }

    @Override
    public synchronized void activate(long features, GuestMemory memory, List<Virtqueue> queues, Interrupts irq) {
        this.driverFeatures = features;
        this.queues = new ArrayList<>(queues);
        this.interrupts = irq;
        activations.incrementAndGet();
        notifyAll();
    }

    @Override
    public synchronized void queueNotify(int queueIndex) {
        notifications.incrementAndGet();
        notifiedOn.add(Thread.currentThread().getName());
        if (queues.isEmpty()) {
            return;
        }
        Virtqueue q = queues.get(queueIndex);
        boolean used = false;
        do {
            q.disableNotifications();
            used |= drain(q);
        } while (q.enableNotifications());
        if (used && q.needsNotification()) {
            interrupts.signalQueue(queueIndex);
        }
    }

    private static boolean drain(Virtqueue q) {
        boolean used = false;
        for (Optional<DescriptorChain> next = q.pop(); next.isPresent(); next = q.pop()) {
            DescriptorChain chain = next.get();
            long written = 0;
            if (chain.fault() == null) {
                ByteBuffer in = chain.reader().readBuffer((int) chain.readableLength());
                byte[] reversed = new byte[in.remaining()];
                for (int i = 0; i < reversed.length; i++) {
                    reversed[i] = in.get(reversed.length - 1 - i);
                }
                int n = (int) Math.min(reversed.length, chain.writableLength());
                chain.writer().write(ByteBuffer.wrap(reversed, 0, n));
                written = n;
            }
            q.addUsed(chain, written);
            used = true;
        }
        return used;
    }

    @Override
    public synchronized void reset() {
        queues = List.of();
        interrupts = null;
        resets.incrementAndGet();
        notifyAll();
    }

    synchronized boolean awaitActivations(int count, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (activations.get() < count && System.currentTimeMillis() < end) {
            wait(Math.max(1, end - System.currentTimeMillis()));
        }
        return activations.get() >= count;
    }

    synchronized boolean awaitResets(int count, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (resets.get() < count && System.currentTimeMillis() < end) {
            wait(Math.max(1, end - System.currentTimeMillis()));
        }
        return resets.get() >= count;
    }

    /** Sends {@code text} on {@code queue} and returns what the device wrote back (the text reversed). */
    static String roundTrip(FrontEnd peer, int queue, String text) throws IOException {
        DriverQueue q = peer.queues.get(queue);
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        // As a driver with callbacks on: interrupt me at the next used element.
        q.setUsedEvent(q.usedIndex());
        int head = q.submit(peer.allocator, List.of(ByteBuffer.wrap(bytes)), bytes.length);
        if (q.kickNeeded()) {
            peer.kick(queue);
        }
        assertTrue("call eventfd signalled", peer.awaitCall(queue, 5000));
        Optional<UsedElement> used = q.pollUsed();
        assertTrue("a used element", used.isPresent());
        assertEquals(head, used.get().id());
        byte[] out = new byte[used.get().written().remaining()];
        used.get().written().get(out);
        return new String(out, StandardCharsets.US_ASCII);
    }
}
