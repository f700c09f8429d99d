package dev.neep.gpu.device.internal;

import dev.neep.gpu.protocol.GpuFeatures;
import dev.neep.virtio.GuestMemory;

/**
 * What the guest's driver brought at DRIVER_OK and has until reset: its memory, and the
 * features it acknowledged.
 *
 * <p>Confined to the device thread.
 */
final class DriverState {
    private GuestMemory memory;
    private long features;

    void activate(GuestMemory guestMemory, long driverFeatures) {
        memory = guestMemory;
        features = driverFeatures;
    }

    /** Back to before {@link #activate}: no guest memory, no negotiated features. */
    void deactivate() {
        memory = null;
        features = 0;
    }

    /**
     * Withdraws negotiated features the device no longer offers (a backend swap to one without
     * 3D, say): the guest acknowledged them, but commands that need them are refused at the
     * door from now on rather than reaching a backend that cannot serve them. Features are
     * never added: the guest only learns of new ones when it negotiates again after a reset.
     */
    void restrictFeatures(long offered) {
        features &= offered;
    }

    boolean negotiated(int bit) {
        return GpuFeatures.has(features, bit);
    }

    /** The guest's memory, or null while no driver is active. */
    GuestMemory memory() {
        return memory;
    }
}
