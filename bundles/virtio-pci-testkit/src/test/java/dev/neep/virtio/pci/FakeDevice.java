package dev.neep.virtio.pci;

import dev.neep.virtio.DescriptorChain;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.Interrupts;
import dev.neep.virtio.VirtioDevice;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.Virtqueue;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small device behind the transport: two queues that answer each chain with its request
 * bytes reversed, on the notifying thread, and eight bytes of configuration (a read-only
 * word, then a writable one).
 */
final class FakeDevice implements VirtioDevice {
    static final int DEVICE_ID = 18;
    static final int FEATURE_BIT = 3;
    static final int MAX_QUEUE = 256;

    final AtomicInteger resets = new AtomicInteger();
    final AtomicInteger notifies = new AtomicInteger();
    volatile long activatedFeatures = -1;
    volatile List<Virtqueue> queues;
    volatile Interrupts interrupts;
    private final byte[] config = {0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0};

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long deviceFeatures() {
        return VirtioFeatures.bit(FEATURE_BIT) | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_RING_PACKED);
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int maxQueueSize(int queueIndex) {
        return MAX_QUEUE;
    }

    @Override
    public int configSize() {
        return config.length;
    }

    @Override
    public synchronized void readConfig(int offset, byte[] dst) {
        for (int i = 0; i < dst.length; i++) {
            int at = offset + i;
            dst[i] = at >= 0 && at < config.length ? config[at] : 0;
        }
    }

    @Override
    public synchronized void writeConfig(int offset, byte[] src) {
        for (int i = 0; i < src.length; i++) {
            int at = offset + i;
            if (at >= 4 && at < config.length) {
                config[at] = src[i];
            }
        }
    }

    synchronized int configWord(int offset) {
        return ByteBuffer.wrap(config).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(offset);
    }

    /** The device changes its configuration and tells the driver. */
    void changeConfig(int value) {
        synchronized (this) {
            ByteBuffer.wrap(config).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, value);
        }
        interrupts.signalConfigChange();
    }

    @Override
    public void activate(long driverFeatures, GuestMemory memory, List<Virtqueue> queues, Interrupts interrupts) {
        this.activatedFeatures = driverFeatures;
        this.queues = queues;
        this.interrupts = interrupts;
    }

    @Override
    public void queueNotify(int queueIndex) {
        notifies.incrementAndGet();
        Virtqueue q = queues.get(queueIndex);
        for (Optional<DescriptorChain> c = q.pop(); c.isPresent(); c = q.pop()) {
            DescriptorChain chain = c.get();
            ByteBuffer request = chain.reader().readBuffer((int) chain.readableLength());
            byte[] reversed = new byte[request.remaining()];
            for (int i = 0; i < reversed.length; i++) {
                reversed[i] = request.get(request.limit() - 1 - i);
            }
            int n = (int) Math.min(reversed.length, chain.writableLength());
            chain.writer().write(ByteBuffer.wrap(reversed, 0, n));
            q.addUsed(chain, n);
        }
        if (q.needsNotification()) {
            interrupts.signalQueue(queueIndex);
        }
    }

    @Override
    public void reset() {
        resets.incrementAndGet();
        queues = null;
        interrupts = null;
        activatedFeatures = -1;
    }
}
