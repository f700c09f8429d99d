package dev.neep.backend.support;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** The owner thread's bounded wait, for calls a library is known to hang in. */
public class OwnerThreadTest {

    @Test
    public void aCallThatDoesNotReturnInTimeIsAnErrorAndLeavesTheThreadBusy() throws Exception {
        OwnerThread owner = new OwnerThread("test-owner", "closed");
        CountDownLatch release = new CountDownLatch(1);
        try {
            owner.call("hanging_init", 100, () -> {
                try {
                    return release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            fail("returned");
        } catch (GpuBackendException e) {
            assertEquals(CtrlType.RESP_ERR_UNSPEC, e.responseType());
            assertTrue(e.getMessage(), e.getMessage().startsWith("hanging_init did not return within 100 ms"));
        }
        try {
            owner.call("next", 100, () -> "served");
            fail("the thread served another call while the first still ran");
        } catch (GpuBackendException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("next did not return"));
        }
        release.countDown();
        assertEquals("served", owner.call("after", () -> "served"));
        assertTrue(owner.stop(() -> { }, 1000));
    }
}
