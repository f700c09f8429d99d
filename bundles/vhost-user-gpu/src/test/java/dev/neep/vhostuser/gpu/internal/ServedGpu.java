package dev.neep.vhostuser.gpu.internal;

import dev.neep.gpu.api.DisplaySink;
import dev.neep.gpu.device.VirtioGpu;
import dev.neep.vhostuser.VhostUserServer;
import dev.neep.vhostuser.gpu.DisplayChannelListener;
import dev.neep.vhostuser.gpu.VhostUserGpu;
import dev.neep.virtio.VirtioDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A GPU device served on a socket as the vhost-user-gpu component serves it, each front end's
 * display channel a sink of the device. Closing it closes the server, then the device.
 */
final class ServedGpu implements AutoCloseable {

    final Path socket;
    private final VirtioGpu device;
    private final VhostUserServer server;

    private ServedGpu(Path socket, VirtioGpu device, VhostUserServer server) {
        this.socket = socket;
        this.device = device;
        this.server = server;
    }

    /** Serves {@code device} on the socket {@code gpu.sock} in {@code directory}. */
    static ServedGpu serve(Path directory, VirtioGpu device) throws IOException {
        return serve(directory, device, device);
    }

    /**
     * Serves {@code transported}, a wrapper of {@code device} (one that watches what the
     * transport hands it), with {@code device}'s display sinks.
     */
    static ServedGpu serve(Path directory, VirtioGpu device, VirtioDevice transported) throws IOException {
        Path socket = directory.resolve("gpu.sock");
        return new ServedGpu(socket, device, VhostUserServer.listen(socket, transported, new VhostUserGpu(
                new DisplayChannelListener() {
                    @Override
                    public void channelUp(DisplaySink sink, Map<String, Object> properties) {
                        device.addSink(sink);
                    }

                    @Override
                    public void channelDown(DisplaySink sink) {
                        device.removeSink(sink);
                    }
                }, device)).start());
    }

    /** Closes {@code served}, or only {@code device} when it was never served. */
    static void close(ServedGpu served, VirtioGpu device) {
        if (served != null) {
            served.close();
        } else if (device != null) {
            device.close();
        }
    }

    @Override
    public void close() {
        server.close();
        device.close();
    }
}
