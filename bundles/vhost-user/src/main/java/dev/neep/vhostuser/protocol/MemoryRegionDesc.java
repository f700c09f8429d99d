package dev.neep.vhostuser.protocol;

import java.nio.ByteBuffer;

/**
 * One region of a "memory regions description": {@code guest address}, {@code size},
 * {@code user address} (where the front end mapped it) and {@code mmap offset} (where
 * the region starts in the file passed with it), all u64. A "single memory region
 * description" (ADD_MEM_REG, REM_MEM_REG) is 8 bytes of padding and then one of these.
 */
public record MemoryRegionDesc(long guestAddress, long size, long userAddress, long mmapOffset) {
    public static final int SIZE = 32;
    public static final int SINGLE_SIZE = 8 + SIZE;

    public static MemoryRegionDesc decode(ByteBuffer src) {
        return new MemoryRegionDesc(src.getLong(), src.getLong(), src.getLong(), src.getLong());
    }

    /** Reads a single memory region description (padding first). */
    public static MemoryRegionDesc decodeSingle(ByteBuffer src) {
        src.getLong();
        return decode(src);
    }

    public void encode(ByteBuffer dst) {
        dst.putLong(guestAddress).putLong(size).putLong(userAddress).putLong(mmapOffset);
    }

    public void encodeSingle(ByteBuffer dst) {
        dst.putLong(0);
        encode(dst);
    }

    @Override
    public String toString() {
        return String.format("region gpa=0x%x size=0x%x uaddr=0x%x mmap_offset=0x%x",
                guestAddress, size, userAddress, mmapOffset);
    }
}
