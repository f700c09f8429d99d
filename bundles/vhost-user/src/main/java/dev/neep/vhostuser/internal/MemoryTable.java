package dev.neep.vhostuser.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import dev.neep.vhostuser.protocol.MemoryRegionDesc;
import dev.neep.vhostuser.protocol.ProtocolException;
import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Mapping;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.MemoryRegion;
import dev.neep.virtio.RegionGuestMemory;

/**
 * The front end's memory table: every region it sent (SET_MEM_TABLE, ADD_MEM_REG), mapped
 * from the file it came with, as guest memory for the device, plus the translation of
 * the front end's user addresses (which SET_VRING_ADDR uses) to guest-physical ones.
 *
 * <p>Unmapping is deferred while the device is active: the device may hold views of
 * guest pages (a resource's backing), and touching an unmapped page crashes the process.
 * A region removed then leaves guest memory at once (new accesses fail cleanly), and its
 * pages are unmapped once the device has been reset ({@link #deviceStopped()}).
 *
 * <p>Used by the session's control thread only; the guest memory itself is safe for the
 * device's threads.
 */
final class MemoryTable implements AutoCloseable {

    /** GET_MAX_MEM_SLOTS: as many regions as this back-end accepts. */
    static final int MAX_SLOTS = 32;

    private record Slot(MemoryRegionDesc desc, MemoryRegion region) {
    }

    private final RegionGuestMemory memory = new RegionGuestMemory();
    private final List<Slot> slots = new ArrayList<>();
    private final List<Mapping> retired = new ArrayList<>();
    private boolean deviceActive;

    RegionGuestMemory memory() {
        return memory;
    }

    boolean isEmpty() {
        return slots.isEmpty();
    }

    /** Maps {@code desc} from {@code fd} (closed by the caller) and adds it to guest memory. */
    void add(MemoryRegionDesc desc, Fd fd) throws ProtocolException {
        validate(desc);
        if (slots.size() >= MAX_SLOTS) {
            throw new ProtocolException("more than " + MAX_SLOTS + " memory regions: " + desc);
        }
        for (Slot s : slots) {
            MemoryRegionDesc o = s.desc;
            if (desc.guestAddress() < o.guestAddress() + o.size() && o.guestAddress() < desc.guestAddress() + desc.size()) {
                throw new ProtocolException(desc + " overlaps guest addresses of " + o);
            }
            if (desc.userAddress() < o.userAddress() + o.size() && o.userAddress() < desc.userAddress() + desc.size()) {
                throw new ProtocolException(desc + " overlaps user addresses of " + o);
            }
        }
        long length = desc.mmapOffset() + desc.size();
        Mapping mapping;
        try {
            Posix.FileStat st = Posix.fstat(fd);
            if (!st.isRegularFile()) {
                throw new ProtocolException("cannot map " + desc + ": its descriptor is not a memory file (mode 0"
                        + Integer.toOctalString(st.mode()) + ")");
            }
            if (Long.compareUnsigned(st.size(), length) < 0) {
                // Pages past the end of a file raise SIGBUS on access: refuse instead of crashing later.
                throw new ProtocolException("cannot map " + desc + ": its file holds only " + st.size() + " bytes");
            }
            mapping = Posix.mapShared(fd, length);
        } catch (IOException e) {
            throw new ProtocolException("cannot map " + desc + ": " + e.getMessage(), e);
        }
        try {
            MemoryRegion region = new MemoryRegion(desc.guestAddress(), desc.size(),
                    mapping.pieces(desc.mmapOffset(), desc.size(), MemoryRegion.MAX_PIECE), () -> retire(mapping));
            memory.add(region);
            slots.add(new Slot(desc, region));
        } catch (RuntimeException e) {
            mapping.close();
            throw new ProtocolException("cannot add " + desc + " to guest memory: " + e.getMessage(), e);
        }
    }

    /** REM_MEM_REG: the region with the same guest address, user address and size. */
    void remove(MemoryRegionDesc desc) throws ProtocolException {
        for (Slot s : slots) {
            if (s.desc.guestAddress() == desc.guestAddress() && s.desc.userAddress() == desc.userAddress()
                    && s.desc.size() == desc.size()) {
                slots.remove(s);
                memory.remove(s.region.guestPhysAddr());
                return;
            }
        }
        throw new ProtocolException("no such memory region to remove: " + desc);
    }

    /** Removes every region (SET_MEM_TABLE replaces the whole table). */
    void removeAll() {
        slots.clear();
        memory.clear();
    }

    /**
     * The guest-physical address of the front end's user address range
     * {@code [userAddress, userAddress + length)}, which must lie in one region; -1 if not.
     */
    long toGuestPhysical(long userAddress, long length) {
        for (Slot s : slots) {
            long offset = userAddress - s.desc.userAddress();
            if (Long.compareUnsigned(userAddress, s.desc.userAddress()) >= 0
                    && Long.compareUnsigned(offset, s.desc.size()) < 0
                    && Long.compareUnsigned(length, s.desc.size() - offset) <= 0) {
                return s.desc.guestAddress() + offset;
            }
        }
        return -1;
    }

    void deviceStarted() {
        deviceActive = true;
    }

    /** The device has been reset and holds no views any more: unmap what was removed meanwhile. */
    void deviceStopped() {
        deviceActive = false;
        retired.forEach(Mapping::close);
        retired.clear();
    }

    private void retire(Mapping mapping) {
        if (deviceActive) {
            retired.add(mapping);
        } else {
            mapping.close();
        }
    }

    private static void validate(MemoryRegionDesc d) throws ProtocolException {
        // The fields are u64: reject what would not fit a signed long or would wrap.
        if (d.size() <= 0 || d.guestAddress() < 0 || d.userAddress() < 0 || d.mmapOffset() < 0
                || d.guestAddress() > Long.MAX_VALUE - d.size() || d.userAddress() > Long.MAX_VALUE - d.size()
                || d.mmapOffset() > Long.MAX_VALUE - d.size()) {
            throw new ProtocolException("unusable " + d);
        }
    }

    /** Removes and unmaps everything; only once the device has been reset. */
    @Override
    public void close() {
        deviceActive = false;
        removeAll();
        deviceStopped();
    }
}
