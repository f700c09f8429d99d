package dev.neep.gpu.device.internal;

import java.util.concurrent.Executor;

/**
 * A reply that only the front end can give (see {@link FrontEndModes}): asked when its command
 * ran, and answered once, on the device thread, by whichever comes first: the front end's
 * answer ({@link #answer}) or the queue layer's timeout ({@link #timedOut}). The queue layer
 * holds the control queue meanwhile.
 */
interface Later {

    /** Runs {@code answered} on {@code deviceThread} once the front end has answered, or failed to. */
    void whenAnswered(Executor deviceThread, Runnable answered);

    /** The reply, after {@link #whenAnswered}'s task ran: the front end's answer checked and taken, or the fallback. */
    Reply answer();

    /** The reply when the front end has not answered within {@code millis} (the cause logged once). */
    Reply timedOut(long millis);
}
