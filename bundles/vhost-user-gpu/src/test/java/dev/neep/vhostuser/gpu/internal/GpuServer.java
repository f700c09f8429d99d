package dev.neep.vhostuser.gpu.internal;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.vhostuser.VhostUserServer;
import dev.neep.vhostuser.gpu.DisplayChannelListener;
import dev.neep.vhostuser.gpu.VhostUserGpu;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The GPU device served on a socket as the vhost-user-gpu component serves it: each front end's display channel a sink. */
final class GpuServer {

    private GpuServer() {
    }

    static VhostUserServer serve(Path socket, VirtioGpu device) throws IOException {
        return VhostUserServer.listen(socket, device, new VhostUserGpu(new DisplayChannelListener() {
            @Override
            public void channelUp(DisplaySink sink, Map<String, Object> properties) {
                device.addSink(sink);
            }

            @Override
            public void channelDown(DisplaySink sink) {
                device.removeSink(sink);
            }
        })).start();
    }
}
