package dev.neep.vhostuser.gpu.internal;

import dev.neep.vhostuser.sys.Fd;
import dev.neep.vhostuser.sys.Mapping;
import dev.neep.vhostuser.sys.Posix;
import dev.neep.virtio.ForwardingVirtioDevice;
import dev.neep.virtio.MappingSource;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRegion;
import dev.neep.virtio.VirtioDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The GPU device as the transport sees it, with a tap on the regions the transport hands it:
 * each file range the device maps is also mapped here, from the very descriptor the backend
 * exported, so a test holds the renderer's side of a blob (its memory) beside the front end's
 * view of the same bytes.
 */
final class TappedRegions extends ForwardingVirtioDevice {

    private final VirtioDevice device;
    /** The renderer's side of each live mapping, by region offset. */
    final Map<Long, Mapping> hostSide = new ConcurrentHashMap<>();
    volatile List<SharedMemoryRegion> provided = List.of();

    TappedRegions(VirtioDevice device) {
        this.device = device;
    }

    @Override
    protected VirtioDevice delegate() {
        return device;
    }

    @Override
    public void provideSharedMemory(List<SharedMemoryRegion> regions) {
        provided = regions;
        super.provideSharedMemory(regions.stream().<SharedMemoryRegion>map(Tap::new).toList());
    }

    /** The renderer's bytes mapped at {@code offset} of the region, {@code length} of them. */
    ByteBuffer hostView(long offset, int length) {
        Mapping m = hostSide.get(offset);
        if (m == null) {
            throw new IllegalStateException("the device mapped nothing at 0x" + Long.toHexString(offset));
        }
        return m.pieces(0, length, length).get(0);
    }

    void close() {
        hostSide.values().forEach(Mapping::close);
        hostSide.clear();
    }

    private final class Tap implements SharedMemoryRegion {
        private final SharedMemoryRegion region;

        Tap(SharedMemoryRegion region) {
            this.region = region;
        }

        @Override
        public int shmid() {
            return region.shmid();
        }

        @Override
        public long length() {
            return region.length();
        }

        @Override
        public Set<MappingSource.Kind> sources() {
            return region.sources();
        }

        @Override
        public void map(long offset, MappingSource source, Cache cache, Access access) throws SharedMemoryException {
            region.map(offset, source, cache, access);
            if (source instanceof MappingSource.FileRange file && file.fdOffset() == 0) {
                try (Fd fd = Posix.dup(file.fd(), "tapped blob")) {
                    hostSide.put(offset, Posix.mapShared(fd, file.length()));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot tap the blob the device mapped", e);
                }
            }
        }

        @Override
        public void unmap(long offset, long length) throws SharedMemoryException {
            region.unmap(offset, length);
            Mapping m = hostSide.remove(offset);
            if (m != null) {
                m.close();
            }
        }
    }
}
