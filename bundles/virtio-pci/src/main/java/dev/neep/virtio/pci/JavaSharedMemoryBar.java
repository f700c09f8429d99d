package dev.neep.virtio.pci;

import dev.neep.virtio.MappingSource;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.SharedMemoryException;
import dev.neep.virtio.SharedMemoryRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * The reference {@link SharedMemoryBar}: serves every driver access in Java, from the host
 * memory of a {@link MappingSource.HostMemory} or by positioned reads and writes on a file
 * range's file (opened anew through {@code /proc/self/fd}, so the caller's descriptor stays the
 * caller's; closed at unmap). Nothing is mapped into this process, so an unmap leaves nothing
 * behind. Bytes where nothing is mapped read as zero and ignore writes; a read-only mapping
 * ignores writes.
 *
 * <p>For tests and in-process embedding; a VMM that wants the guest to reach the memory without
 * a trap maps it into the guest itself.
 */
public final class JavaSharedMemoryBar implements SharedMemoryBar {

    private record Mapping(long offset, long length, ByteBuffer memory, FileChannel file, long fileOffset,
            boolean writable) {
    }

    private final OnceLog log = new OnceLog(LoggerFactory.getLogger(JavaSharedMemoryBar.class), "shared memory BAR");
    private final TreeMap<Long, Mapping> mappings = new TreeMap<>();

    @Override
    public Set<MappingSource.Kind> sources() {
        return Set.of(MappingSource.Kind.HOST_MEMORY, MappingSource.Kind.FILE_RANGE);
    }

    @Override
    public synchronized void map(long offset, MappingSource source, SharedMemoryRegion.Cache cache,
            SharedMemoryRegion.Access access) throws SharedMemoryException {
        boolean writable = access == SharedMemoryRegion.Access.READ_WRITE;
        Mapping m;
        if (source instanceof MappingSource.HostMemory host) {
            m = new Mapping(offset, source.length(), host.memory().duplicate().order(ByteOrder.LITTLE_ENDIAN), null,
                    0, writable);
        } else {
            MappingSource.FileRange range = (MappingSource.FileRange) source;
            try {
                FileChannel file = writable
                        ? FileChannel.open(fdPath(range.fd()), StandardOpenOption.READ, StandardOpenOption.WRITE)
                        : FileChannel.open(fdPath(range.fd()), StandardOpenOption.READ);
                m = new Mapping(offset, range.length(), null, file, range.fdOffset(), writable);
            } catch (IOException e) {
                throw new SharedMemoryException("cannot open fd " + range.fd() + ": " + e.getMessage(), e);
            }
        }
        mappings.put(offset, m);
    }

    private static Path fdPath(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    @Override
    public synchronized void unmap(long offset, long length) throws SharedMemoryException {
        Mapping m = mappings.get(offset);
        if (m == null || m.length() != length) {
            throw new IllegalArgumentException("nothing of " + length + " bytes is mapped at 0x"
                    + Long.toHexString(offset));
        }
        mappings.remove(offset);
        if (m.file() != null) {
            try {
                m.file().close();
            } catch (IOException e) {
                throw new SharedMemoryException("closing the file of the mapping at 0x" + Long.toHexString(offset)
                        + ": " + e.getMessage(), e);
            }
        }
    }

    /** How many mappings are live (for tests that check nothing is left). */
    public synchronized int mappings() {
        return mappings.size();
    }

    @Override
    public synchronized long read(long offset, int size) {
        Mapping m = covering(offset, size);
        if (m == null) {
            return 0;
        }
        long at = offset - m.offset();
        if (m.memory() != null) {
            long value = 0;
            for (int i = 0; i < size; i++) {
                value |= (m.memory().get((int) at + i) & 0xffL) << (8 * i);
            }
            return value;
        }
        ByteBuffer bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        bytes.limit(size);
        try {
            while (bytes.hasRemaining() && m.file().read(bytes, m.fileOffset() + at + bytes.position()) > 0) {
                // positioned reads until the access is whole; a short file leaves zeros
            }
        } catch (IOException e) {
            log.host("read", "reading the file mapped at 0x" + Long.toHexString(m.offset()) + " failed", e);
            return 0;
        }
        return bytes.clear().getLong();
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        Mapping m = covering(offset, size);
        if (m == null || !m.writable()) {
            return;
        }
        long at = offset - m.offset();
        if (m.memory() != null) {
            for (int i = 0; i < size; i++) {
                m.memory().put((int) at + i, (byte) (value >>> (8 * i)));
            }
            return;
        }
        ByteBuffer bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).flip().limit(size);
        try {
            while (bytes.hasRemaining()) {
                m.file().write(bytes, m.fileOffset() + at + bytes.position());
            }
        } catch (IOException e) {
            // the access is lost, as a write to a bus that errs; the driver reads back what is there
            log.host("write", "writing the file mapped at 0x" + Long.toHexString(m.offset()) + " failed", e);
        }
    }

    /** The mapping holding all of {@code [offset, offset + size)}, or null. */
    private Mapping covering(long offset, int size) {
        Map.Entry<Long, Mapping> e = mappings.floorEntry(offset);
        if (e == null) {
            return null;
        }
        Mapping m = e.getValue();
        return offset - m.offset() + size <= m.length() ? m : null;
    }
}
