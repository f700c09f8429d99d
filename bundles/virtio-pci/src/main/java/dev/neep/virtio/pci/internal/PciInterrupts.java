package dev.neep.virtio.pci.internal;

import static dev.neep.virtio.pci.VirtioPciRegs.NO_VECTOR;

import dev.neep.virtio.Interrupts;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.pci.InterruptLine;
import dev.neep.virtio.pci.MsiMessage;
import dev.neep.virtio.pci.PciRegs;
import dev.neep.virtio.pci.VirtioPciRegs;
import java.util.Arrays;
import java.util.List;

/**
 * The interrupt side of a virtio-pci function: the ISR status (virtio 1.2 §4.1.4.5), the
 * MSI-X vectors the driver maps to configuration changes and to each queue (§4.1.5.1.2),
 * the INTx level, {@code config_generation}, and the device's {@link Interrupts} for one
 * activation, which go nowhere once the device is reset.
 *
 * <p>Locking: one lock of its own, which the function takes after its driver-side lock and
 * never before it. The device's interrupts take only this lock, so a device whose reset
 * waits for its own thread cannot deadlock with an interrupt in flight.
 * {@link InterruptLine#setIntx} is called with the lock held (levels arrive in order); MSI
 * messages are sent outside it.
 */
public final class PciInterrupts {
    private final Object lock = new Object();
    private final MsixTable msix;
    private final int[] queueVector;
    private final OnceLog log;
    private int configVector = NO_VECTOR;
    private int isr;
    private int generation;
    private int epoch;
    private boolean intxDisabled;
    private boolean intxLevel;
    private InterruptLine line;

    /** One MSI-X vector per queue plus one for configuration changes, as the table allows. */
    public PciInterrupts(int queueCount, OnceLog log) {
        this.msix = new MsixTable(Math.min(queueCount + 1, PciRegs.MSIX_FLAGS_QSIZE + 1));
        this.queueVector = new int[queueCount];
        this.log = log;
        Arrays.fill(queueVector, NO_VECTOR);
    }

    public int vectors() {
        return msix.vectors();
    }

    public int tableBytes() {
        return msix.tableBytes();
    }

    public int pbaBytes() {
        return msix.pbaBytes();
    }

    // ---- the MSI-X BAR ----

    public long readTable(long offset, int size) {
        synchronized (lock) {
            return msix.readTable(offset, size);
        }
    }

    public long readPba(long offset, int size) {
        synchronized (lock) {
            return msix.readPba(offset, size);
        }
    }

    /** Writes the table and sends what an unmask released. */
    public void writeTable(long offset, int size, long value) {
        List<MsiMessage> released;
        synchronized (lock) {
            released = msix.writeTable(offset, size, value);
        }
        send(released);
    }

    // ---- registers ----

    /** True when INTx would be asserted: ISR has a bit set and MSI-X is off (the PCI status register's interrupt bit). */
    public boolean pending() {
        synchronized (lock) {
            return isr != 0 && !msix.enabled();
        }
    }

    /** §4.1.4.5: reading the ISR status clears it. */
    public int readIsr() {
        synchronized (lock) {
            int value = isr;
            isr = 0;
            updateIntx();
            return value;
        }
    }

    public int generation() {
        synchronized (lock) {
            return generation & 0xff;
        }
    }

    public int configVector() {
        synchronized (lock) {
            return configVector;
        }
    }

    public void setConfigVector(int vector) {
        int v = mapVector("config_msix_vector", vector);
        synchronized (lock) {
            configVector = v;
        }
    }

    public int queueVector(int queue) {
        synchronized (lock) {
            return queueVector[queue];
        }
    }

    public void setQueueVector(int queue, int vector) {
        int v = mapVector("queue_msix_vector", vector);
        synchronized (lock) {
            queueVector[queue] = v;
        }
    }

    /** A vector the table does not have cannot be mapped: the field reads back NO_VECTOR (§4.1.5.1.2). */
    private int mapVector(String field, int vector) {
        int v = vector & 0xffff;
        if (v != NO_VECTOR && v >= msix.vectors()) {
            log.guest(field, "vector " + v + " is beyond the MSI-X table of " + msix.vectors());
            return NO_VECTOR;
        }
        return v;
    }

    /** MSI-X to its power-on state (a function reset), then {@link #controlChanged}; nothing is pending to send. */
    public void resetControl(int command, int msixControl) {
        synchronized (lock) {
            msix.reset();
        }
        controlChanged(command, msixControl);
    }

    /**
     * The command register or MSI-X message control changed; returns the messages the change
     * released, for {@link #send} once the caller has left its own lock.
     */
    public List<MsiMessage> controlChanged(int command, int msixControl) {
        synchronized (lock) {
            intxDisabled = (command & PciRegs.COMMAND_INTX_DISABLE) != 0;
            List<MsiMessage> released = msix.setControl((msixControl & PciRegs.MSIX_FLAGS_ENABLE) != 0,
                    (msixControl & PciRegs.MSIX_FLAGS_MASKALL) != 0, (command & PciRegs.COMMAND_MASTER) != 0);
            updateIntx();
            return released;
        }
    }

    public void connect(InterruptLine next) {
        synchronized (lock) {
            if (line != null && intxLevel) {
                line.setIntx(false);
            }
            line = next;
            if (line != null && intxLevel) {
                line.setIntx(true);
            }
        }
    }

    // ---- the device's side ----

    /** The device's way to the driver for the activation about to happen. */
    public Interrupts activation() {
        synchronized (lock) {
            return new Activation(epoch);
        }
    }

    /**
     * The device is about to be reset: its current activation's interrupts go nowhere from
     * now on, and ISR, vectors and pending MSI-X bits are stale (the driver sets everything
     * up again).
     */
    public void deviceResetting() {
        synchronized (lock) {
            epoch++;
            isr = 0;
            configVector = NO_VECTOR;
            Arrays.fill(queueVector, NO_VECTOR);
            msix.clearPending();
            updateIntx();
        }
    }

    /** A configuration change notification that DEVICE_NEEDS_RESET was set (§2.1.2). */
    public void signalNeedsReset() {
        MsiMessage message;
        InterruptLine target;
        synchronized (lock) {
            message = raise(VirtioPciRegs.ISR_CONFIG, configVector);
            target = line;
        }
        send(target, message);
    }

    /**
     * Sets the ISR bit and picks the delivery, with the lock held. With MSI-X the queue bit
     * is not used (§4.1.5.3); the configuration bit is set either way.
     */
    private MsiMessage raise(int isrBit, int vector) {
        if (msix.enabled()) {
            if (isrBit == VirtioPciRegs.ISR_CONFIG) {
                isr |= isrBit;
            }
            return vector == NO_VECTOR ? null : msix.fire(vector);
        }
        isr |= isrBit;
        updateIntx();
        return null;
    }

    private void updateIntx() {
        boolean level = isr != 0 && !msix.enabled() && !intxDisabled;
        if (level != intxLevel) {
            intxLevel = level;
            if (line != null) {
                line.setIntx(level);
            }
        }
    }

    public void send(List<MsiMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        InterruptLine target;
        synchronized (lock) {
            target = line;
        }
        for (MsiMessage m : messages) {
            send(target, m);
        }
    }

    private static void send(InterruptLine target, MsiMessage message) {
        if (target != null && message != null) {
            target.sendMsi(message);
        }
    }

    /** The device's way to the driver for one activation; after a reset it goes nowhere. */
    private final class Activation implements Interrupts {
        private final int activation;

        Activation(int activation) {
            this.activation = activation;
        }

        @Override
        public void signalQueue(int queueIndex) {
            MsiMessage message;
            InterruptLine target;
            synchronized (lock) {
                if (activation != epoch || queueIndex < 0 || queueIndex >= queueVector.length) {
                    return;
                }
                message = raise(VirtioPciRegs.ISR_QUEUE, queueVector[queueIndex]);
                target = line;
            }
            send(target, message);
        }

        @Override
        public void signalConfigChange() {
            MsiMessage message;
            InterruptLine target;
            synchronized (lock) {
                if (activation != epoch) {
                    return;
                }
                generation++;
                message = raise(VirtioPciRegs.ISR_CONFIG, configVector);
                target = line;
            }
            send(target, message);
        }
    }
}
