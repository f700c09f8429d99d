package com.example.embed;

import static org.junit.Assert.assertArrayEquals;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.api.Pixels;
import dev.neep.gpu.api.Scanout;
import dev.neep.gpu.api.ScanoutId;
import dev.neep.gpu.protocol.Rect;
import dev.neep.paxexam.NeepOptions;
import dev.neep.testkit.GpuDriver;
import dev.neep.virtio.VirtioDevice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.BundleContext;

/** neep in Felix, a guest-side driver drawing an image of ours, and our own sink seeing it. */
@RunWith(PaxExam.class)
public class EmbedNeepTest {
    private static final int W = 64;
    private static final int H = 48;

    @Inject
    private BundleContext context;

    @Inject
    @Filter("(virtio.device.id=16)")
    private VirtioDevice gpu;

    @Configuration
    public Option[] config() {
        return NeepOptions.embedded();
    }

    @Test
    public void ourImageReachesOurSink() throws InterruptedException {
        LastFrame sink = new LastFrame();
        context.registerService(DisplaySink.class, sink, null);
        int[] image = new int[W * H];
        for (int i = 0; i < image.length; i++) {
            image[i] = 0xff000000 | (i % W) * 4 << 16 | (i / W) * 5 << 8 | 0x80;
        }
        try (GpuDriver driver = GpuDriver.start(gpu)) {
            driver.drawImage(0, W, H, image);
            // the newest frame within 10 s (a sink may also see the scanout before the transfer)
            int[] shown = null;
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < end; ) {
                int[] next = sink.frames.poll(100, TimeUnit.MILLISECONDS);
                shown = next != null ? next : shown;
                if (Arrays.equals(image, shown)) {
                    break;
                }
            }
            assertArrayEquals(image, shown);
        }
    }

    /**
     * A sink of our own: each picture of the scanout as ARGB (the driver draws B8G8R8X8). The
     * device calls it on a thread of the sink's own; it reads the pixels through {@link Pixels}.
     */
    static final class LastFrame implements DisplaySink {
        final BlockingQueue<int[]> frames = new ArrayBlockingQueue<>(16);

        @Override
        public void scanoutChanged(ScanoutId id, Scanout scanout) {
        }

        @Override
        public void frameUpdated(ScanoutId id, Rect dirty, Pixels pixels) {
            int[] argb = new int[pixels.width() * pixels.height()];
            boolean read = pixels.read(frame -> {
                // positioned at the top-left pixel
                ByteBuffer bytes = frame.pixels().order(ByteOrder.LITTLE_ENDIAN);
                int origin = bytes.position();
                for (int y = 0; y < frame.height(); y++) {
                    for (int x = 0; x < frame.width(); x++) {
                        argb[y * frame.width() + x] = 0xff000000 | bytes.getInt(origin + y * frame.stride() + x * 4);
                    }
                }
            });
            if (read) {
                frames.offer(argb);
            }
        }
    }
}
