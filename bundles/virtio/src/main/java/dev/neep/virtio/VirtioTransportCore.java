package dev.neep.virtio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.osgi.annotation.versioning.ConsumerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every virtio transport decides the same way, whatever carries the driver's writes
 * (PCI registers, vhost-user messages): the device status of virtio 1.2 §2.1 and the
 * initialization sequence of §3.1.1, feature negotiation (§2.2), each queue's configuration
 * until DRIVER_OK turns it into a {@link Virtqueue}, and reset (§2.4). A transport moves
 * bytes and signals and calls in here; this class drives the {@link VirtioDevice}.
 *
 * <h2>Status</h2>
 * <ul>
 * <li>ACKNOWLEDGE, DRIVER and FAILED are taken as written.</li>
 * <li>FEATURES_OK is set only when the driver's features are a subset of the offer and hold
 * every required bit; otherwise it stays clear, which is how the driver learns that the
 * device refused (§3.1.1 steps 5-6). Driver features written after FEATURES_OK are ignored.</li>
 * <li>DRIVER_OK activates the device: every enabled queue becomes a {@link Virtqueue} and
 * {@link VirtioDevice#activate} gets them. DRIVER_OK without FEATURES_OK, enabled queues
 * that are not 0..k-1 (the device SPI takes its queues in index order), a size above the
 * device's maximum, a ring the {@code Virtqueue} refuses, or a device that throws sets
 * DEVICE_NEEDS_RESET instead (§2.1.2), and the transport is told so it can notify the
 * driver.</li>
 * <li>Writing 0 resets (§2.4): {@link VirtioDevice#reset}, the features and every queue back
 * to their initial values. Clearing bits in any other way is ignored.</li>
 * </ul>
 *
 * <p>A transport whose rings can be taken away while the driver's settings stand (vhost-user's
 * GET_VRING_BASE) uses {@link #stop}: the device is reset, the features and queue
 * configurations stay, and each queue remembers where it stopped, so the next DRIVER_OK
 * resumes there.
 *
 * <p>Threading: not thread-safe. A transport calls it under its own lock, from the threads
 * that carry the driver's writes; the device's interrupts never pass through here.
 */
public final class VirtioTransportCore {

    /** What the core needs from the transport it serves. */
    @ConsumerType
    public interface Transport {

        /** The way to the driver for the activation about to happen (called just before {@link VirtioDevice#activate}). */
        Interrupts interrupts();

        /**
         * The device is about to be reset ({@link #reset} or {@link #stop}): from now on the
         * interrupts of its current activation must go nowhere, and the transport's own
         * registers return to their initial values.
         */
        void resetting();

        /**
         * DEVICE_NEEDS_RESET was just set, with DRIVER_OK, for {@code reason}: a transport
         * sends the driver a configuration change notification (§2.1.2).
         */
        void needsReset(String reason);
    }

    /** One queue's configuration as the driver wrote it (§4.1.4.3: queue_size, queue_desc, queue_driver, queue_device, queue_enable). */
    public static final class QueueConfig {
        private int size;
        private long desc;
        private long driver;
        private long device;
        private boolean enabled;
        private int nextAvailIndex;

        QueueConfig(int initialSize) {
            reset(initialSize);
        }

        /** The queue size; the device's maximum (capped at {@link Virtqueue#MAX_SIZE}) until the driver writes one. */
        public int size() {
            return size;
        }

        public void setSize(int size) {
            this.size = size;
        }

        /** Guest-physical address of the descriptor area. */
        public long desc() {
            return desc;
        }

        /** Guest-physical address of the driver area (the available ring). */
        public long driver() {
            return driver;
        }

        /** Guest-physical address of the device area (the used ring). */
        public long device() {
            return device;
        }

        public void setDesc(long desc) {
            this.desc = desc;
        }

        public void setDriver(long driver) {
            this.driver = driver;
        }

        public void setDevice(long device) {
            this.device = device;
        }

        public boolean enabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** Where the device starts reading the available ring at DRIVER_OK: 0, or where a stopped queue left off. */
        public int nextAvailIndex() {
            return nextAvailIndex;
        }

        /** @throws IllegalArgumentException for a value that is not a 16-bit ring index */
        public void setNextAvailIndex(int index) {
            if (index < 0 || index > 0xffff) {
                throw new IllegalArgumentException("next available index " + index + " is not 0..65535");
            }
            this.nextAvailIndex = index;
        }

        private void reset(int initialSize) {
            size = initialSize;
            desc = 0;
            driver = 0;
            device = 0;
            enabled = false;
            nextAvailIndex = 0;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(VirtioTransportCore.class);
    private static final int DRIVER_STATUS_BITS = DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER
            | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK | DeviceStatus.FAILED;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final long carriedFeatures;
    private final long requiredFeatures;
    private final Transport transport;
    private final OnceLog log;
    private final QueueConfig[] queues;
    private long driverFeatures;
    private int status;
    private List<Virtqueue> active;
    private List<SharedMemoryRegion> sharedMemory = List.of();

    /**
     * @param device           the device the driver configures
     * @param memory           the guest memory its queues live in
     * @param carriedFeatures  the feature bits this transport can carry: the offer is the
     *                         device's bits masked with these...
     * @param requiredFeatures ...plus these, which the driver must also accept for FEATURES_OK
     *                         (VIRTIO_F_VERSION_1 for a modern-only transport)
     * @param transport        the transport's side of activation, reset and DEVICE_NEEDS_RESET
     * @param log              where the driver's mistakes are reported, once per cause
     */
    public VirtioTransportCore(VirtioDevice device, GuestMemory memory, long carriedFeatures, long requiredFeatures,
            Transport transport, OnceLog log) {
        this.device = Objects.requireNonNull(device, "device");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.carriedFeatures = carriedFeatures;
        this.requiredFeatures = requiredFeatures;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.log = Objects.requireNonNull(log, "log");
        int count = device.queueCount();
        if (count < 0 || count > 0xffff) {
            throw new IllegalArgumentException("queue count " + count + " is not 0..65535");
        }
        queues = new QueueConfig[count];
        for (int i = 0; i < count; i++) {
            queues[i] = new QueueConfig(initialSize(i));
        }
    }

    public VirtioDevice device() {
        return device;
    }

    /**
     * The shared memory regions this transport provides to the device from the next activation
     * on ({@link SharedMemoryDevice}); none until a transport sets them.
     */
    public void setSharedMemory(List<SharedMemoryRegion> regions) {
        sharedMemory = List.copyOf(regions);
    }

    // ---- features (§2.2) ----

    /** The device's feature bits as this transport offers them. */
    public long offeredFeatures() {
        return (device.deviceFeatures() & carriedFeatures) | requiredFeatures;
    }

    /** The features the driver wrote last (all of them, also those FEATURES_OK will refuse). */
    public long driverFeatures() {
        return driverFeatures;
    }

    /** The driver's features; ignored (and logged) once FEATURES_OK is set. */
    public void setDriverFeatures(long features) {
        if ((status & DeviceStatus.FEATURES_OK) != 0) {
            log.guest("driver_feature", "written after FEATURES_OK; ignored");
            return;
        }
        driverFeatures = features;
    }

    // ---- status (§2.1, §3.1.1) ----

    public int status() {
        return status;
    }

    /** True from a successful DRIVER_OK until the next reset or stop. */
    public boolean active() {
        return active != null;
    }

    /** The driver writes the device status. */
    public void writeStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int cleared = status & DRIVER_STATUS_BITS & ~value;
        if (cleared != 0) {
            log.guest("device_status", String.format("bits 0x%x cleared without a reset (0x%x -> 0x%x); ignored",
                    cleared, status, value));
            return;
        }
        int added = value & DRIVER_STATUS_BITS & ~status;
        status |= added & ~(DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        if ((added & DeviceStatus.FEATURES_OK) != 0 && featuresAcceptable()) {
            status |= DeviceStatus.FEATURES_OK;
        }
        if ((added & DeviceStatus.DRIVER_OK) != 0) {
            status |= DeviceStatus.DRIVER_OK;
            activate();
        }
    }

    /** §3.1.1 step 5: the device refuses FEATURES_OK for a feature set it did not offer. */
    private boolean featuresAcceptable() {
        long offered = offeredFeatures();
        long extra = driverFeatures & ~offered;
        if (extra != 0) {
            log.guest("FEATURES_OK", String.format("driver features 0x%x include 0x%x, which the device did not"
                    + " offer (0x%x); FEATURES_OK stays clear", driverFeatures, extra, offered));
            return false;
        }
        long missing = requiredFeatures & ~driverFeatures;
        if (missing != 0) {
            log.guest("FEATURES_OK", String.format("driver features 0x%x lack 0x%x, which this transport requires"
                    + " (VIRTIO_F_VERSION_1 for a modern device); FEATURES_OK stays clear", driverFeatures, missing));
            return false;
        }
        return true;
    }

    private void activate() {
        if ((status & DeviceStatus.FEATURES_OK) == 0) {
            needsReset("DRIVER_OK", "DRIVER_OK set without FEATURES_OK");
            return;
        }
        if ((status & DeviceStatus.DEVICE_NEEDS_RESET) != 0) {
            return;
        }
        boolean eventIdx = VirtioFeatures.has(driverFeatures, VirtioFeatures.VIRTIO_RING_F_EVENT_IDX);
        List<Virtqueue> built = new ArrayList<>();
        int firstDisabled = -1;
        for (int i = 0; i < queues.length; i++) {
            QueueConfig q = queues[i];
            if (!q.enabled) {
                firstDisabled = firstDisabled < 0 ? i : firstDisabled;
                continue;
            }
            if (firstDisabled >= 0) {
                needsReset("queue_enable", "queue " + i + " is enabled but queue " + firstDisabled
                        + " is not; the device takes its queues in index order");
                return;
            }
            int max = device.maxQueueSize(i);
            if (q.size > max) {
                needsReset("queue_size", String.format("virtqueue %d: size=%d is above the device's maximum %d",
                        i, q.size, max));
                return;
            }
            try {
                Virtqueue queue = new Virtqueue(i, memory, q.size, q.desc, q.driver, q.device, eventIdx);
                queue.setNextAvailIndex(q.nextAvailIndex);
                built.add(queue);
            } catch (InvalidQueueException e) {
                needsReset("queue " + e.field(), e.getMessage());
                return;
            }
        }
        List<Virtqueue> running = List.copyOf(built);
        try {
            if (device instanceof SharedMemoryDevice shm) {
                shm.provideSharedMemory(sharedMemory);
            }
            device.activate(driverFeatures, memory, running, transport.interrupts());
            active = running;
        } catch (RuntimeException e) {
            LOG.error("virtio device {} failed to activate", device.deviceId(), e);
            needsReset("activate", "the device failed to activate: " + e);
        }
    }

    /** §2.1.2: DEVICE_NEEDS_RESET, and the transport notifies the driver. */
    private void needsReset(String cause, String detail) {
        log.guest(cause, detail + "; DEVICE_NEEDS_RESET set");
        status |= DeviceStatus.DEVICE_NEEDS_RESET;
        transport.needsReset(detail);
    }

    // ---- queues ----

    public int queueCount() {
        return queues.length;
    }

    /** The configuration of queue {@code index}, or null when the device has no such queue. */
    public QueueConfig queue(int index) {
        return index >= 0 && index < queues.length ? queues[index] : null;
    }

    /** The driver notified queue {@code index}; before DRIVER_OK that is a mistake, logged and ignored. */
    public void queueNotify(int index) {
        if (active == null) {
            log.guest("notify", "queue " + index + " notified before DRIVER_OK");
            return;
        }
        try {
            device.queueNotify(index);
        } catch (RuntimeException e) {
            log.host("queueNotify", "the device failed on a notification of queue " + index, e);
        }
    }

    // ---- reset ----

    /** §2.4: the device and everything the driver set return to their initial state; complete on return. */
    public void reset() {
        resetDevice();
        status = 0;
        driverFeatures = 0;
        for (int i = 0; i < queues.length; i++) {
            queues[i].reset(initialSize(i));
        }
    }

    /**
     * Resets the device while the driver's settings stay: features and queue configurations
     * are kept, each running queue's next available index is kept for the next activation,
     * and the status returns to 0, so that the next DRIVER_OK (after FEATURES_OK again)
     * resumes. Nothing happens when the device is not active.
     */
    public void stop() {
        List<Virtqueue> running = active;
        if (running == null) {
            return;
        }
        resetDevice();
        for (Virtqueue q : running) {
            queues[q.index()].nextAvailIndex = q.nextAvailIndex();
        }
        status = 0;
    }

    private int initialSize(int index) {
        return Math.min(device.maxQueueSize(index), Virtqueue.MAX_SIZE);
    }

    private void resetDevice() {
        transport.resetting();
        active = null;
        try {
            device.reset();
        } catch (RuntimeException e) {
            LOG.error("virtio device {} failed to reset", device.deviceId(), e);
        }
    }
}
