package dev.neep.gpu.device.internal.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.virtio.NotificationSource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The component hands the transport's notification source on: a device that starts over
 * under a new name (SCR's first factory configuration taking over) waits in the same source,
 * so the transport's kicks still reach a device thread.
 */
public class GpuDeviceComponentTest {

    /** Records the threads that wait in it; each wait ends at a wake-up or after 20 ms. */
    private static final class RecordingSource implements NotificationSource {
        final Set<Thread> waiters = ConcurrentHashMap.newKeySet();
        final BlockingQueue<Boolean> wakeUps = new LinkedBlockingQueue<>();

        @Override
        public boolean await(long timeoutNanos) {
            waiters.add(Thread.currentThread());
            try {
                wakeUps.poll(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        }

        @Override
        public void wakeUp() {
            wakeUps.add(true);
        }

        boolean awaitWaiters(int n) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (waiters.size() < n && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            return waiters.size() >= n;
        }
    }

    @Test
    public void aDeviceThatStartsOverWaitsInTheSameSource() throws Exception {
        GpuDeviceComponent component = new GpuDeviceComponent();
        component.activate(Map.of(DisplaySink.DEVICE_PROPERTY, "gpu"));
        RecordingSource source = new RecordingSource();
        try {
            assertTrue(component.waitIn(source));
            assertTrue("the device's thread waits in the source", source.awaitWaiters(1));
            component.modified(Map.of(DisplaySink.DEVICE_PROPERTY, "guest-1"));
            assertEquals("guest-1", component.name());
            assertTrue("the new device's thread waits in it too", source.awaitWaiters(2));
            assertTrue(source.waiters.stream().allMatch(t -> t.getName().equals("neep-gpu-device")));
        } finally {
            component.deactivate();
        }
    }
}
