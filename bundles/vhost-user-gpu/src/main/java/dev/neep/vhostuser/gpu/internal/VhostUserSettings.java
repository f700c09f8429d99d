package dev.neep.vhostuser.gpu.internal;

import dev.neep.config.support.ConfigurationRefused;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The checked configuration of the vhost-user back-end: where front ends connect, a socket to
 * listen on or an inherited listening descriptor.
 *
 * @param socketPath the socket to create, or {@code null} when {@code fd} is given
 * @param fd         the inherited descriptor, or -1 when {@code socketPath} is given
 */
record VhostUserSettings(Path socketPath, int fd) {

    static final String SOCKET_PATH = "socket_path";
    static final String FD = "fd";

    /** @throws ConfigurationRefused naming the property and its value when one is unusable */
    static VhostUserSettings from(VhostUserConfig config) {
        String path = config.socket__path().trim();
        int fd = config.fd();
        if (fd < -1) {
            throw new ConfigurationRefused(VhostUserConfig.PID, FD, fd, "must be a descriptor number, or -1 for none");
        }
        if (path.isEmpty() == (fd < 0)) {
            throw new ConfigurationRefused(VhostUserConfig.PID, SOCKET_PATH, path, "set exactly one of "
                    + SOCKET_PATH + " and " + FD + " (" + FD + "=" + fd + ")");
        }
        if (path.isEmpty()) {
            return new VhostUserSettings(null, fd);
        }
        try {
            return new VhostUserSettings(Path.of(path), -1);
        } catch (InvalidPathException e) {
            throw new ConfigurationRefused(VhostUserConfig.PID, SOCKET_PATH, path, "is not a valid path: "
                    + e.getReason());
        }
    }
}
