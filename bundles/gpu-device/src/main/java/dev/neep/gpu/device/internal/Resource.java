package dev.neep.gpu.device.internal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * What the device knows of one guest resource, enough to check every later command against
 * it without asking the backend: its kind and geometry, the host memory it was charged, its
 * guest backing, the scanouts showing it, its UUID once assigned.
 *
 * <p>Confined to the device thread.
 */
final class Resource {

    enum Kind {
        /** RESOURCE_CREATE_2D: {@code format} is a virtio-gpu 2D format. */
        TWO_D,
        /** RESOURCE_CREATE_3D: Gallium target and format as the guest gave them. */
        THREE_D,
        /** RESOURCE_CREATE_BLOB: no geometry, only a size. */
        BLOB
    }

    final int id;
    final Kind kind;
    final int format;
    final int width;
    final int height;
    final int depth;
    final int arraySize;
    final int lastLevel;
    final int target;
    final int blobMem;
    final int blobFlags;
    final long blobSize;
    /** Bytes charged against {@code max_hostmem}; given back when the resource goes. */
    final long hostmem;

    private List<ByteBuffer> backing;
    private long backingLength;
    /** Bit {@code i} set while scanout {@code i} shows this resource. */
    int scanoutMask;
    UUID uuid;

    private Resource(int id, Kind kind, int format, int width, int height, int depth, int arraySize, int lastLevel,
            int target, int blobMem, int blobFlags, long blobSize, long hostmem) {
        this.id = id;
        this.kind = kind;
        this.format = format;
        this.width = width;
        this.height = height;
        this.depth = depth;
        this.arraySize = arraySize;
        this.lastLevel = lastLevel;
        this.target = target;
        this.blobMem = blobMem;
        this.blobFlags = blobFlags;
        this.blobSize = blobSize;
        this.hostmem = hostmem;
    }

    static Resource twoD(int id, int format, int width, int height, long hostmem) {
        return new Resource(id, Kind.TWO_D, format, width, height, 1, 1, 0, Gallium.TEXTURE_2D, 0, 0, 0, hostmem);
    }

    static Resource threeD(int id, int target, int format, int width, int height, int depth, int arraySize,
            int lastLevel) {
        return new Resource(id, Kind.THREE_D, format, width, height, depth, arraySize, lastLevel, target, 0, 0, 0, 0);
    }

    static Resource blob(int id, int blobMem, int blobFlags, long size, List<ByteBuffer> backing, long backingLength) {
        Resource r = new Resource(id, Kind.BLOB, 0, 0, 0, 0, 0, 0, 0, blobMem, blobFlags, size, size);
        if (!backing.isEmpty()) {
            r.attach(backing, backingLength);
        }
        return r;
    }

    boolean isBlob() {
        return kind == Kind.BLOB;
    }

    boolean hasBacking() {
        return backing != null;
    }

    long backingLength() {
        return backingLength;
    }

    void attach(List<ByteBuffer> views, long length) {
        backing = List.copyOf(views);
        backingLength = length;
    }

    /** Drops the views of guest memory; they are only references, nothing to free. */
    void detach() {
        backing = null;
        backingLength = 0;
    }

    @Override
    public String toString() {
        return "resource " + Integer.toUnsignedString(id) + " (" + kind + ")";
    }
}
