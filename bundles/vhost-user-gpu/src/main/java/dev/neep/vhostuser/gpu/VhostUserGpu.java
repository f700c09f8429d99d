package dev.neep.vhostuser.gpu;

import java.io.IOException;
import java.util.Objects;

import dev.neep.vhostuser.BackendChannel;
import dev.neep.vhostuser.DeviceExtension;
import dev.neep.vhostuser.DeviceSession;
import dev.neep.vhostuser.FrontEndMessage;
import dev.neep.gpu.device.GpuDisplayControl;
import dev.neep.vhostuser.gpu.internal.ChannelDisplays;
import dev.neep.vhostuser.gpu.internal.DisplayChannel;
import dev.neep.vhostuser.protocol.ProtocolException;

/**
 * What a virtio GPU adds to the generic vhost-user back-end (QEMU
 * docs/interop/vhost-user-gpu.rst): the front end hands over the socket of its display with
 * GPU_SET_SOCKET, and the back-end shows the guest's scanouts there through a
 * {@link DisplayChannel}, a display sink that the {@link DisplayChannelListener} is told of.
 * The front end also decides the geometry: while its display channel is there, the device asks
 * it each GET_DISPLAY_INFO and GET_EDID over the channel, as QEMU's C back end does.
 *
 * <p>Serve a GPU with
 * {@code VhostUserServer.listen(path, gpuDevice, new VhostUserGpu(listener, gpuDevice))}.
 */
public final class VhostUserGpu implements DeviceExtension {

    /** VHOST_USER_GPU_SET_SOCKET: no payload, one descriptor, the display channel's socket. */
    public static final int GPU_SET_SOCKET = 33;

    private final DisplayChannelListener listener;
    private final GpuDisplayControl displays;

    /**
     * A GPU whose device answers GET_DISPLAY_INFO and GET_EDID with its own configured modes,
     * whatever the front end's are.
     */
    public VhostUserGpu(DisplayChannelListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.displays = null;
    }

    /**
     * A GPU whose device ({@code displays}, the device the server serves) takes the front end's
     * geometry: each front end's display channel is its {@code FrontEndDisplays} while it is up.
     */
    public VhostUserGpu(DisplayChannelListener listener, GpuDisplayControl displays) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.displays = Objects.requireNonNull(displays, "displays");
    }

    /** The back-end channel is not needed: the display channel is a socket of its own. */
    @Override
    public DeviceSession connected(BackendChannel backend) {
        return new Session();
    }

    /** One front end's display channel; used on that connection's control thread only. */
    private final class Session implements DeviceSession {
        private DisplayChannel display;

        @Override
        public boolean handle(FrontEndMessage message) throws ProtocolException, IOException {
            if (message.request() != GPU_SET_SOCKET) {
                return false;
            }
            message.expect(0, 1);
            // A front end that sends a second socket replaces the first.
            close();
            display = DisplayChannel.open(message.takeFd(), listener);
            // Before the front end starts the vrings, so the guest's first GET_DISPLAY_INFO asks it.
            if (displays != null) {
                displays.useFrontEnd(new ChannelDisplays(display));
            }
            return true;
        }

        @Override
        public void close() {
            if (display != null) {
                DisplayChannel gone = display;
                display = null;
                try {
                    if (displays != null) {
                        displays.useFrontEnd(null);
                    }
                } finally {
                    gone.close();
                }
            }
        }
    }
}
