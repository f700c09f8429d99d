package dev.neep.virtio.pci.internal;

import static dev.neep.virtio.pci.VirtioPciRegs.NO_VECTOR;

import dev.neep.virtio.OnceLog;
import dev.neep.virtio.VirtioTransportCore;
import dev.neep.virtio.pci.VirtioPciRegs;

/**
 * The common configuration structure of virtio 1.2 §4.1.4.3 ({@code struct
 * virtio_pci_common_cfg}) as registers over the {@link VirtioTransportCore}: the feature
 * windows, {@code device_status}, and the selected queue's fields. An access of any width
 * is merged into each field it touches, and each field is then written whole; the decisions
 * (FEATURES_OK, DRIVER_OK, reset) are the core's.
 *
 * <p>Not thread-safe: the function's driver-side lock guards it.
 */
public final class CommonConfig {

    /** struct virtio_pci_common_cfg fields, by offset and size; 64-bit addresses are one field each. */
    private static final int[][] FIELDS = {
        {VirtioPciRegs.COMMON_DFSELECT, 4}, {VirtioPciRegs.COMMON_DF, 4}, {VirtioPciRegs.COMMON_GFSELECT, 4},
        {VirtioPciRegs.COMMON_GF, 4}, {VirtioPciRegs.COMMON_MSIX, 2}, {VirtioPciRegs.COMMON_NUMQ, 2},
        {VirtioPciRegs.COMMON_STATUS, 1}, {VirtioPciRegs.COMMON_CFGGENERATION, 1},
        {VirtioPciRegs.COMMON_Q_SELECT, 2}, {VirtioPciRegs.COMMON_Q_SIZE, 2}, {VirtioPciRegs.COMMON_Q_MSIX, 2},
        {VirtioPciRegs.COMMON_Q_ENABLE, 2}, {VirtioPciRegs.COMMON_Q_NOFF, 2}, {VirtioPciRegs.COMMON_Q_DESCLO, 8},
        {VirtioPciRegs.COMMON_Q_AVAILLO, 8}, {VirtioPciRegs.COMMON_Q_USEDLO, 8}, {VirtioPciRegs.COMMON_Q_NDATA, 2},
        {VirtioPciRegs.COMMON_Q_RESET, 2},
    };

    private final VirtioTransportCore core;
    private final PciInterrupts interrupts;
    private final OnceLog log;
    private int deviceFeatureSelect;
    private int driverFeatureSelect;
    private int queueSelect;

    public CommonConfig(VirtioTransportCore core, PciInterrupts interrupts, OnceLog log) {
        this.core = core;
        this.interrupts = interrupts;
        this.log = log;
    }

    /** The select registers back to 0, as a device reset leaves them. */
    public void reset() {
        deviceFeatureSelect = 0;
        driverFeatureSelect = 0;
        queueSelect = 0;
    }

    public long read(int offset, int size) {
        long value = 0;
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            int[] field = field(at);
            if (field != null) {
                long fieldValue = value(field[0]);
                value |= ((fieldValue >>> (8 * (at - field[0]))) & 0xff) << (8 * i);
            }
        }
        return value;
    }

    /** Merges the written bytes into each field they touch, then writes each field whole. */
    public void write(int offset, int size, long value) {
        for (int[] field : FIELDS) {
            int start = field[0];
            int fieldSize = field[1];
            if (!ConfigSpace.overlaps(offset, size, start, fieldSize)) {
                continue;
            }
            long merged = value(start);
            for (int i = 0; i < size; i++) {
                int at = offset + i - start;
                if (at >= 0 && at < fieldSize) {
                    long b = (value >>> (8 * i)) & 0xff;
                    merged = (merged & ~(0xffL << (8 * at))) | (b << (8 * at));
                }
            }
            store(start, merged);
        }
    }

    private static int[] field(int offset) {
        for (int[] field : FIELDS) {
            if (offset >= field[0] && offset < field[0] + field[1]) {
                return field;
            }
        }
        return null;
    }

    private long value(int field) {
        VirtioTransportCore.QueueConfig q = core.queue(queueSelect);
        switch (field) {
            case VirtioPciRegs.COMMON_DFSELECT:
                return deviceFeatureSelect & 0xffff_ffffL;
            case VirtioPciRegs.COMMON_DF:
                return featureWindow(core.offeredFeatures(), deviceFeatureSelect);
            case VirtioPciRegs.COMMON_GFSELECT:
                return driverFeatureSelect & 0xffff_ffffL;
            case VirtioPciRegs.COMMON_GF:
                return featureWindow(core.driverFeatures(), driverFeatureSelect);
            case VirtioPciRegs.COMMON_MSIX:
                return interrupts.configVector();
            case VirtioPciRegs.COMMON_NUMQ:
                return core.queueCount();
            case VirtioPciRegs.COMMON_STATUS:
                return core.status();
            case VirtioPciRegs.COMMON_CFGGENERATION:
                return interrupts.generation();
            case VirtioPciRegs.COMMON_Q_SELECT:
                return queueSelect;
            case VirtioPciRegs.COMMON_Q_SIZE:
                return q == null ? 0 : q.size();
            case VirtioPciRegs.COMMON_Q_MSIX:
                return q == null ? NO_VECTOR : interrupts.queueVector(queueSelect);
            case VirtioPciRegs.COMMON_Q_ENABLE:
                return q != null && q.enabled() ? 1 : 0;
            case VirtioPciRegs.COMMON_Q_NOFF:
                return q == null ? 0 : queueSelect;
            case VirtioPciRegs.COMMON_Q_DESCLO:
                return q == null ? 0 : q.desc();
            case VirtioPciRegs.COMMON_Q_AVAILLO:
                return q == null ? 0 : q.driver();
            case VirtioPciRegs.COMMON_Q_USEDLO:
                return q == null ? 0 : q.device();
            default:
                // queue_notify_data and queue_reset: their features are not offered.
                return 0;
        }
    }

    private void store(int field, long value) {
        switch (field) {
            case VirtioPciRegs.COMMON_DFSELECT -> deviceFeatureSelect = (int) value;
            case VirtioPciRegs.COMMON_GFSELECT -> driverFeatureSelect = (int) value;
            case VirtioPciRegs.COMMON_GF -> writeDriverFeatures(value & 0xffff_ffffL);
            case VirtioPciRegs.COMMON_MSIX -> interrupts.setConfigVector((int) value);
            case VirtioPciRegs.COMMON_STATUS -> core.writeStatus((int) value & 0xff);
            case VirtioPciRegs.COMMON_Q_SELECT -> queueSelect = (int) value;
            case VirtioPciRegs.COMMON_Q_MSIX -> {
                if (core.queue(queueSelect) == null) {
                    log.guest("queue_msix_vector", "queue_select " + queueSelect + " names no queue");
                    return;
                }
                interrupts.setQueueVector(queueSelect, (int) value);
            }
            case VirtioPciRegs.COMMON_Q_SIZE, VirtioPciRegs.COMMON_Q_ENABLE, VirtioPciRegs.COMMON_Q_DESCLO,
                    VirtioPciRegs.COMMON_Q_AVAILLO, VirtioPciRegs.COMMON_Q_USEDLO -> writeQueueField(field, value);
            case VirtioPciRegs.COMMON_Q_RESET -> {
                if (value != 0) {
                    log.guest("queue_reset", "VIRTIO_F_RING_RESET is not offered");
                }
            }
            default -> log.guest("common cfg read-only", String.format(
                    "write of 0x%x to the read-only field at 0x%x", value, field));
        }
    }

    private static long featureWindow(long features, int select) {
        return switch (select) {
            case 0 -> features & 0xffff_ffffL;
            case 1 -> features >>> 32;
            default -> 0;
        };
    }

    private void writeDriverFeatures(long word) {
        long features = core.driverFeatures();
        switch (driverFeatureSelect) {
            case 0 -> core.setDriverFeatures((features & 0xffff_ffff_0000_0000L) | word);
            case 1 -> core.setDriverFeatures((features & 0xffff_ffffL) | word << 32);
            default -> {
                if (word != 0) {
                    log.guest("driver_feature", String.format("bits 0x%x in window %d, where no feature exists",
                            word, driverFeatureSelect));
                }
            }
        }
    }

    /** §4.1.4.3.2: the driver configures a queue before it enables it; the fields are frozen after. */
    private void writeQueueField(int field, long value) {
        VirtioTransportCore.QueueConfig q = core.queue(queueSelect);
        if (q == null) {
            log.guest("queue_select", "queue_select " + queueSelect + " names no queue; the write is ignored");
            return;
        }
        if (q.enabled()) {
            log.guest("queue config", String.format("queue %d: field at 0x%x written while the queue is enabled",
                    queueSelect, field));
            return;
        }
        switch (field) {
            case VirtioPciRegs.COMMON_Q_SIZE -> q.setSize((int) value & 0xffff);
            case VirtioPciRegs.COMMON_Q_DESCLO -> q.setDesc(value);
            case VirtioPciRegs.COMMON_Q_AVAILLO -> q.setDriver(value);
            case VirtioPciRegs.COMMON_Q_USEDLO -> q.setDevice(value);
            default -> {
                if ((value & 0xffff) == 1) {
                    q.setEnabled(true);
                } else {
                    log.guest("queue_enable", "queue " + queueSelect + ": only 1 may be written");
                }
            }
        }
    }
}
