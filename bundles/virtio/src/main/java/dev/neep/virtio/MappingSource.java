package dev.neep.virtio;

import java.nio.ByteBuffer;

/**
 * What a device maps into a {@link SharedMemoryRegion}: host memory it already has, or a
 * range of a file (a memfd, a dma-buf) a process can map for itself.
 */
public sealed interface MappingSource permits MappingSource.HostMemory, MappingSource.FileRange {

    /** The kinds, as a region lists what it can carry ({@link SharedMemoryRegion#sources()}). */
    enum Kind {
        HOST_MEMORY,
        FILE_RANGE
    }

    /** This source's kind. */
    Kind kind();

    /** How many bytes the mapping covers. */
    long length();

    /**
     * Memory of this process (a renderer's mapping of a blob): {@code address} is the native
     * address of its first byte, {@code memory} a direct buffer over the same
     * {@code memory.capacity()} bytes, for a VMM that serves the driver's accesses in Java.
     */
    record HostMemory(long address, ByteBuffer memory) implements MappingSource {
        public HostMemory {
            if (address == 0) {
                throw new IllegalArgumentException("host memory at address 0");
            }
            if (!memory.isDirect()) {
                throw new IllegalArgumentException("host memory needs a direct buffer");
            }
        }

        @Override
        public Kind kind() {
            return Kind.HOST_MEMORY;
        }

        @Override
        public long length() {
            return memory.capacity();
        }
    }

    /**
     * {@code length} bytes of the file open as {@code fd} in this process, from
     * {@code fdOffset}. The descriptor stays the caller's (see {@link SharedMemoryRegion#map}).
     */
    record FileRange(int fd, long fdOffset, long length) implements MappingSource {
        public FileRange {
            if (fd < 0 || fdOffset < 0 || length <= 0) {
                throw new IllegalArgumentException("file range fd=" + fd + " offset=" + fdOffset + " length=" + length);
            }
        }

        @Override
        public Kind kind() {
            return Kind.FILE_RANGE;
        }
    }
}
