package dev.neep.vhostuser.gpu.internal;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import dev.neep.gpu.device.FrontEndDisplays;
import dev.neep.gpu.protocol.Decoded;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;

/**
 * The front end's displays, asked over its display channel the way QEMU's C back end asks
 * them: VHOST_USER_GPU_GET_DISPLAY_INFO for each guest GET_DISPLAY_INFO, and
 * VHOST_USER_GPU_GET_EDID for each GET_EDID when the front end offered the EDID protocol
 * feature (without it: no EDID, the device describes the mode itself). Questions asked before
 * the channel's handshake is done wait for it: QEMU answers the channel only once it has
 * started the vrings, and by then the guest may already have asked.
 *
 * <p>A reply that does not decode fails its question with the decoder's message; the device
 * then answers the guest with its configured modes and logs it.
 */
public final class ChannelDisplays implements FrontEndDisplays {
    private final DisplayChannel channel;

    public ChannelDisplays(DisplayChannel channel) {
        this.channel = channel;
    }

    @Override
    public CompletionStage<RespDisplayInfo> displayInfo() {
        return channel.ask(GpuRequest.GET_DISPLAY_INFO, new byte[0])
                .thenApply(reply -> decoded(RespDisplayInfo.decode(reply)));
    }

    @Override
    public CompletionStage<Optional<RespEdid>> edid(int scanout) {
        return channel.protocolFeatures().thenCompose(features -> (features & (1L << GpuRequest.F_EDID)) == 0
                ? CompletableFuture.completedFuture(Optional.<RespEdid>empty())
                : channel.ask(GpuRequest.GET_EDID, GpuRequest.u32(scanout))
                        .thenApply((ByteBuffer reply) -> Optional.of(decoded(RespEdid.decode(reply)))));
    }

    private static <T> T decoded(Decoded<T> d) {
        if (!d.isOk()) {
            throw new CompletionException(new IllegalArgumentException("the front end's reply does not decode: "
                    + d.error().message()));
        }
        return d.value();
    }
}
