package dev.neep.gpu.device;

import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The displays of a transport's front end, for a device whose geometry the front end decides,
 * as QEMU's {@code vhost-user-gpu-pci} decides it for its back end: each guest GET_DISPLAY_INFO
 * (and GET_EDID) is asked of the front end, and the device answers the guest with what the front
 * end says. Implemented by a transport and handed to the device with
 * {@link GpuDisplayControl#useFrontEnd}; without one the device answers with its configured modes.
 *
 * <p>The device calls these methods on its own thread and must not be kept waiting: each asks
 * and returns at once. The device holds its control queue until the stage completes (commands
 * after the question wait, in order; the cursor queue goes on), then answers. A stage that
 * completes exceptionally, an answer that is not a valid one, or no answer within the device's
 * timeout make the device answer with its configured modes (and log it once). A stage may
 * complete on any thread.
 */
@ConsumerType
public interface FrontEndDisplays {

    /**
     * Asks the front end for its displays: a RESP_OK_DISPLAY_INFO whose enabled entries are the
     * outputs it shows and their sizes (16..4095 each way).
     */
    CompletionStage<RespDisplayInfo> displayInfo();

    /**
     * Asks the front end for the EDID of {@code scanout} (a scanout the device has). Empty when
     * this front end gives no EDIDs: the device then describes the output's mode itself.
     */
    CompletionStage<Optional<RespEdid>> edid(int scanout);
}
