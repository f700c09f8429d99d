package dev.neep.virtio.pci;

import java.util.List;

/**
 * A {@link PciFunction} that hands every call to {@link #delegate()}: the base of shells
 * (a DS component registering a function as a service) and of wrappers that change a few
 * calls.
 */
public abstract class ForwardingPciFunction implements PciFunction {

    /** The function the calls go to. */
    protected abstract PciFunction delegate();

    @Override
    public int configRead(int offset, int size) {
        return delegate().configRead(offset, size);
    }

    @Override
    public void configWrite(int offset, int size, int value) {
        delegate().configWrite(offset, size, value);
    }

    @Override
    public List<PciBar> bars() {
        return delegate().bars();
    }

    @Override
    public long barAddress(int index) {
        return delegate().barAddress(index);
    }

    @Override
    public boolean memoryEnabled() {
        return delegate().memoryEnabled();
    }

    @Override
    public long barRead(int bar, long offset, int size) {
        return delegate().barRead(bar, offset, size);
    }

    @Override
    public void barWrite(int bar, long offset, int size, long value) {
        delegate().barWrite(bar, offset, size, value);
    }

    @Override
    public void connect(InterruptLine line) {
        delegate().connect(line);
    }

    @Override
    public void reset() {
        delegate().reset();
    }
}
