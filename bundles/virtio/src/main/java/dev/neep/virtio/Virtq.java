package dev.neep.virtio;

/**
 * The split virtqueue layout of virtio 1.2 §2.7, shared by the device side
 * ({@link Virtqueue}) and the driver side ({@code dev.neep.virtio.driver}, in the test-support
 * bundle virtio-testkit). Names are the spec's minus the {@code VIRTQ_} prefix.
 *
 * <pre>
 * struct virtq_desc  { le64 addr; le32 len; le16 flags; le16 next; }                 16 bytes, table aligned 16
 * struct virtq_avail { le16 flags; le16 idx; le16 ring[size]; le16 used_event; }     6 + 2 * size, aligned 2
 * struct virtq_used  { le16 flags; le16 idx; struct { le32 id; le32 len; } ring[size];
 *                      le16 avail_event; }                                           6 + 8 * size, aligned 4
 * </pre>
 */
public final class Virtq {

    /** The buffer continues in the descriptor named by {@code next}. */
    public static final int DESC_F_NEXT = 1;
    /** The buffer is device write-only (otherwise device read-only). */
    public static final int DESC_F_WRITE = 2;
    /** The buffer holds a table of descriptors (§2.7.5.3). */
    public static final int DESC_F_INDIRECT = 4;

    /** In {@code avail.flags}: the driver does not want interrupts (ignored with EVENT_IDX). */
    public static final int AVAIL_F_NO_INTERRUPT = 1;
    /** In {@code used.flags}: the device does not want notifications (must stay 0 with EVENT_IDX). */
    public static final int USED_F_NO_NOTIFY = 1;

    public static final int DESC_SIZE = 16;
    public static final int USED_ELEM_SIZE = 8;

    public static final int DESC_ALIGN = 16;
    public static final int AVAIL_ALIGN = 2;
    public static final int USED_ALIGN = 4;

    /** Field offsets inside a descriptor. */
    public static final int DESC_ADDR = 0;
    public static final int DESC_LEN = 8;
    public static final int DESC_FLAGS = 12;
    public static final int DESC_NEXT = 14;

    /** Field offsets shared by the available and the used ring. */
    public static final int RING_FLAGS = 0;
    public static final int RING_IDX = 2;
    public static final int RING_ENTRIES = 4;

    /** Field offsets inside a used element. */
    public static final int USED_ELEM_ID = 0;
    public static final int USED_ELEM_LEN = 4;

    private Virtq() {
    }

    public static long descTableSize(int queueSize) {
        return (long) DESC_SIZE * queueSize;
    }

    /** Bytes of the available ring including {@code used_event}, which the spec counts always. */
    public static long availRingSize(int queueSize) {
        return 6 + 2L * queueSize;
    }

    /** Bytes of the used ring including {@code avail_event}, which the spec counts always. */
    public static long usedRingSize(int queueSize) {
        return 6 + (long) USED_ELEM_SIZE * queueSize;
    }

    /** Address of descriptor {@code index} of a table at {@code table}. */
    public static long descriptor(long table, int index) {
        return table + (long) DESC_SIZE * index;
    }

    /** Address of {@code avail.ring[slot]}. */
    public static long availEntry(long availRing, int slot) {
        return availRing + RING_ENTRIES + 2L * slot;
    }

    /** Address of {@code used_event}, the last field of the available ring. */
    public static long usedEvent(long availRing, int queueSize) {
        return availRing + RING_ENTRIES + 2L * queueSize;
    }

    /** Address of {@code used.ring[slot]}. */
    public static long usedEntry(long usedRing, int slot) {
        return usedRing + RING_ENTRIES + (long) USED_ELEM_SIZE * slot;
    }

    /** Address of {@code avail_event}, the last field of the used ring. */
    public static long availEvent(long usedRing, int queueSize) {
        return usedRing + RING_ENTRIES + (long) USED_ELEM_SIZE * queueSize;
    }

    /**
     * The EVENT_IDX test of §2.7.10 (vring_need_event): whether moving an index from
     * {@code oldIdx} to {@code newIdx} passed the entry {@code event}, i.e. whether
     * {@code event} is one of {@code oldIdx .. newIdx - 1}, all modulo 2^16.
     */
    public static boolean needEvent(int event, int newIdx, int oldIdx) {
        return ((newIdx - event - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
    }
}
