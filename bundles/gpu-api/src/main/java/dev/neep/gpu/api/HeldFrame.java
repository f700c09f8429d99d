package dev.neep.gpu.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A resource's pixels as they were when {@link GpuBackend#hold} was called, kept unchanged for
 * as long as a hold on them lasts: while held, a write to the resource goes to other memory
 * (copy-on-write), so display sinks read each flushed picture whole, on their own threads, while
 * the device goes on writing the resource's next one.
 *
 * <h2>Holds</h2>
 * {@link GpuBackend#hold} returns the object with one hold, the caller's. {@link #hold()} adds
 * one while any is left; {@link #release()} gives one back. Once the last is given back the
 * held memory is the backend's again (it may be the resource's current memory, or reused for
 * another resource) and {@link #hold()} returns {@code false} from then on.
 *
 * <h2>Threads</h2>
 * {@link #hold()}, {@link #release()}, {@link #frame()} and {@link #now()} may be called from any
 * thread and never wait: the device's thread makes the object, sinks' threads hold, read and
 * release it. They never call into the backend's renderer.
 */
@ConsumerType
public interface HeldFrame {

    /**
     * The held pixels, read-only; unchanged while a hold lasts. Read it only while holding: once
     * the last hold is given back the memory may change at any time.
     */
    Frame frame();

    /** Adds a hold; {@code false} when every hold was given back already, and none is added. */
    boolean hold();

    /** Gives back one hold. Giving back more holds than there were is a bug, and is ignored. */
    void release();

    /**
     * The resource's pixels as they are now, as {@link GpuBackend#frame} would return them: for a
     * reader whose hold was lost, to read the newest pixels with the device's check for a read torn
     * by a write (these pixels change during the backend's calls). Valid until the resource is
     * unreferenced.
     */
    Frame now();
}
