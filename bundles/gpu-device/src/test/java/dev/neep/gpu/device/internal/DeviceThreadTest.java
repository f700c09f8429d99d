package dev.neep.gpu.device.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.neep.virtio.NotificationSource;
import dev.neep.virtio.OnceLog;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Test;
import org.slf4j.LoggerFactory;

/**
 * The device thread's own loop: tasks in order, timers, and sleeping in a transport's
 * notification source, where a notification is handled on the device thread and a task handed
 * over wakes it.
 */
public class DeviceThreadTest {
    private final DeviceThread thread = new DeviceThread(new OnceLog(LoggerFactory.getLogger(DeviceThreadTest.class),
            "test"));

    @After
    public void stop() {
        thread.shutdown();
    }

    /**
     * A source as a transport makes one: {@link #notifyQueue} stands for a kick, whose
     * queueNotify runs on the thread that waits; it counts how often it was woken and waited.
     */
    private static final class QueueSource implements NotificationSource {
        private static final int WAKE = -1;
        private static final int CLOSE = -2;
        final BlockingQueue<Integer> events = new LinkedBlockingQueue<>();
        final List<String> notifiedOn = new CopyOnWriteArrayList<>();
        final AtomicInteger awaits = new AtomicInteger();
        final List<Long> timeouts = new CopyOnWriteArrayList<>();
        final AtomicInteger wakeUps = new AtomicInteger();
        /** What a notification does on the waiting thread, as a device's queueNotify would. */
        volatile Runnable onNotify = () -> { };
        volatile boolean closed;

        void notifyQueue(int queue) {
            events.add(queue);
        }

        @Override
        public boolean await(long timeoutNanos) {
            if (closed) {
                return false;
            }
            awaits.incrementAndGet();
            timeouts.add(timeoutNanos);
            try {
                Integer e = timeoutNanos < 0 ? events.take() : events.poll(timeoutNanos, TimeUnit.NANOSECONDS);
                if (e != null && e == CLOSE) {
                    closed = true;
                } else if (e != null && e >= 0) {
                    notifiedOn.add(e + " " + Thread.currentThread().getName());
                    onNotify.run();
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return !closed;
        }

        @Override
        public void wakeUp() {
            wakeUps.incrementAndGet();
            events.add(WAKE);
        }
    }

    @Test
    public void tasksRunInTheOrderGivenOnTheDeviceThread() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            thread.execute(() -> ran.add(n + " " + Thread.currentThread().getName()));
        }
        thread.call(() -> null);
        assertEquals(100, ran.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i + " neep-gpu-device", ran.get(i));
        }
    }

    @Test
    public void aTimerRunsAfterItsDelayAndACancelledOneNever() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        AtomicInteger cancelledRan = new AtomicInteger();
        long[] at = new long[2];
        thread.call(() -> {
            at[0] = System.nanoTime();
            thread.after(30, () -> {
                at[1] = System.nanoTime();
                fired.countDown();
            });
            thread.after(10, cancelledRan::incrementAndGet).cancel();
            return null;
        });
        assertTrue(fired.await(5, TimeUnit.SECONDS));
        assertTrue("ran after " + (at[1] - at[0]) + " ns", at[1] - at[0] >= TimeUnit.MILLISECONDS.toNanos(30));
        assertEquals(0, cancelledRan.get());
    }

    @Test
    public void aRepeatingTimerRunsUntilItCancelsItself() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        thread.call(() -> {
            DeviceThread.Timer[] t = new DeviceThread.Timer[1];
            t[0] = thread.every(500, () -> {
                if (runs.incrementAndGet() == 5) {
                    t[0].cancel();
                    done.countDown();
                }
            });
            return null;
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        Thread.sleep(20);
        thread.call(() -> null);
        assertEquals(5, runs.get());
    }

    @Test
    public void timersAreSetOnlyOnTheDeviceThread() {
        assertThrows(IllegalStateException.class, () -> thread.after(1, () -> { }));
    }

    @Test
    public void waitingInASourceTheThreadTakesNotificationsItselfAndTasksWakeIt() throws Exception {
        QueueSource source = new QueueSource();
        assertTrue(thread.waitIn(source));
        thread.call(() -> null);
        source.notifyQueue(0);
        source.notifyQueue(1);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (source.notifiedOn.size() < 2 && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        assertEquals(List.of("0 neep-gpu-device", "1 neep-gpu-device"), source.notifiedOn);
        // A task handed over while the thread waits in the source wakes it: the call returns.
        assertEquals("ran", thread.call(() -> "ran"));
        assertTrue(source.awaits.get() >= 2);
        // No timer set: the thread waits without limit.
        assertTrue(source.timeouts.contains(-1L));
    }

    @Test
    public void aTaskHandedOverWhileHandlingANotificationRunsWithoutAWakeUp() throws Exception {
        QueueSource source = new QueueSource();
        thread.waitIn(source);
        thread.call(() -> null);
        CountDownLatch drained = new CountDownLatch(1);
        source.onNotify = () -> thread.execute(drained::countDown);
        int wakeUps = source.wakeUps.get();
        source.notifyQueue(0);
        assertTrue(drained.await(5, TimeUnit.SECONDS));
        assertEquals("the thread handing itself a task does not wake itself", wakeUps, source.wakeUps.get());
    }

    @Test
    public void aTimerDueWhileWaitingInASourceEndsTheWaitInTime() throws Exception {
        QueueSource source = new QueueSource();
        thread.waitIn(source);
        CountDownLatch fired = new CountDownLatch(1);
        thread.call(() -> thread.after(20, fired::countDown));
        assertTrue(fired.await(5, TimeUnit.SECONDS));
        assertTrue(source.timeouts.stream().anyMatch(t -> t > 0 && t <= TimeUnit.MILLISECONDS.toNanos(20)));
    }

    @Test
    public void aClosedSourceIsLeftAndTheThreadGoesOnServingTasks() throws Exception {
        QueueSource source = new QueueSource();
        thread.waitIn(source);
        thread.call(() -> null);
        source.events.add(QueueSource.CLOSE);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!source.closed && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        int awaits = source.awaits.get();
        for (int i = 0; i < 10; i++) {
            int n = i;
            assertEquals(n, (int) thread.call(() -> n));
        }
        assertEquals("a closed source is not waited in again", awaits, source.awaits.get());
    }

    @Test
    public void shutdownRunsWhatWasGivenThenCallsFailAtOnce() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            thread.execute(ran::incrementAndGet);
        }
        thread.shutdown();
        assertEquals(10, ran.get());
        assertTrue(thread.isShutdown());
        long t = System.nanoTime();
        assertThrows(IllegalStateException.class, () -> thread.call(() -> null));
        assertEquals("closed", thread.query(() -> "open", "closed"));
        thread.execute(ran::incrementAndGet);
        assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(1));
        assertEquals(10, ran.get());
        assertFalse(thread.waitIn(new QueueSource()));
    }

    @Test
    public void aThrowingTaskIsLoggedAndTheThreadGoesOn() {
        thread.execute(() -> {
            throw new IllegalStateException("a device task failed on purpose");
        });
        assertEquals("after", thread.call(() -> "after"));
    }
}
