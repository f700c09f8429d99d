package dev.neep.gpu.api;

import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Read access to a scanout's pixels, handed to a {@link DisplaySink} with each
 * {@link DisplaySink#frameUpdated frameUpdated}: the device gives a reference, not a copy, and
 * the sink reads what it needs (its dirty rectangle) on its own thread, when it likes.
 *
 * <h2>Held pictures</h2>
 * When the backend holds pictures ({@link GpuBackend#hold}), the device keeps each flushed
 * picture unchanged until the sinks it was handed to have had their {@code frameUpdated} call
 * with it: a read during that call, or during a read another thread makes meanwhile, reads that
 * very picture and returns {@code true} at once. Afterwards, and with a backend that does not
 * hold pictures, a read reads the live pixels, as follows.
 *
 * <h2>The read protocol</h2>
 * The pixels are the backend's own (a 2D resource's memory, a renderer's read-back buffer), and
 * the device goes on running the guest's commands while a sink reads them, so a read may overlap
 * a change. {@link #read} detects that the way a seqlock does: the device bumps a generation
 * before and after every backend call that may change pixels, and {@code read} calls the reader,
 * then checks the generation; when it moved, what the reader read may be torn and {@code read}
 * calls the reader again, until a read saw no change. It gives up only when reading again is
 * pointless, and says so by returning {@code false}:
 * <ul>
 *   <li>the scanout no longer shows this picture (it was disabled, shows another resource or
 *       geometry, the resource was unreferenced, the backend replaced): a
 *       {@link DisplaySink#scanoutChanged scanoutChanged} is on its way to the sink; or</li>
 *   <li>the read was torn and a newer {@code frameUpdated} of this scanout is already on its way
 *       to the sink, which then reads again; its pixels are at least as new.</li>
 * </ul>
 * So a sink that reads at every {@code frameUpdated} it gets, and keeps the dirty rectangle of a
 * read that returned {@code false} for its next read, always ends on the newest picture.
 *
 * <h2>Threads and lifetime</h2>
 * <ul>
 *   <li>{@link #read} may be called from any thread, any number of times, also long after the
 *       {@code frameUpdated} that brought this object and concurrently from several threads. It
 *       never calls into the backend and never waits for the device: it may only wait a short
 *       while for a backend call in progress to end. The device never waits for a reader.</li>
 *   <li>The {@link Frame} given to the reader is read-only, positioned at the scanout's top-left
 *       pixel, {@link #width()} x {@link #height()} in {@link #format()}, and the reader's only
 *       while it runs: it copies what it keeps and keeps no reference to the buffer. Its memory
 *       stays safe to read while the reader runs, whatever the device does meanwhile: before
 *       the device lets go of a picture (the scanout shows something else, the resource is
 *       unreferenced, a reset lets the transport unmap guest memory) it waits for readers
 *       still inside their reader, and later reads return {@code false}.</li>
 *   <li>The reader may run several times for one {@code read} and must tolerate that: it
 *       writes the same places each time (a copy of the same rectangle into the same picture).
 *       It must not call {@code read} again, nor block, unless the pixels are {@link #held}.</li>
 * </ul>
 */
@ProviderType
public interface Pixels {

    /** The scanout's format (VIRTIO_GPU_FORMAT_*), fixed for this object. */
    int format();

    /** The scanout's width in pixels, fixed for this object. */
    int width();

    /** The scanout's height in pixels, fixed for this object. */
    int height();

    /**
     * Whether these pixels are held for the calling sink now (see the class documentation), so
     * that {@link #read} reads this very picture at once and its reader may take its time: the
     * device waits for no reader of a held picture, and a reader may block while it writes the
     * pixels to a socket, say. True during the {@code frameUpdated} call that brought a held
     * picture, and for {@link #of} pixels; false for live pixels.
     */
    default boolean held() {
        return false;
    }

    /**
     * Calls {@code reader} on this thread with the scanout's current pixels until one call read
     * them unchanged (see the class documentation).
     *
     * @return {@code true} when the last call of {@code reader} read a consistent picture, at
     *         least as new as the {@code frameUpdated} that handed out this object;
     *         {@code false} when it did not and a newer call to the sink is on its way
     *         (also when the thread was interrupted while waiting, its interrupt status kept)
     */
    boolean read(Consumer<Frame> reader);

    /**
     * Pixels that never change: {@code frame}, which its owner will not write again (a copy the
     * owner made, a test picture). Each read gets its own read-only view and returns {@code true}.
     */
    static Pixels of(Frame frame) {
        return new Pixels() {
            @Override
            public int format() {
                return frame.format();
            }

            @Override
            public int width() {
                return frame.width();
            }

            @Override
            public int height() {
                return frame.height();
            }

            @Override
            public boolean held() {
                return true;
            }

            @Override
            public boolean read(Consumer<Frame> reader) {
                reader.accept(new Frame(frame.format(), frame.width(), frame.height(), frame.stride(),
                        frame.pixels().asReadOnlyBuffer().order(frame.pixels().order())));
                return true;
            }
        };
    }
}
