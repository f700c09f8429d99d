package dev.neep.vhostuser.gpu.internal;

import org.osgi.service.component.annotations.ComponentPropertyType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the vhost-user back-end, PID {@value #PID}: its metatype and the typed
 * interface {@link VhostUserSettings} checks. Exactly one of {@code socket_path} and {@code fd}
 * says where front ends connect. The device served is the {@code VirtioDevice} service matching
 * the {@code device.target} filter (by default a GPU: {@code (virtio.device.id=16)}).
 */
@ComponentPropertyType
@ObjectClassDefinition(id = VhostUserConfig.PID, name = "neep vhost-user back-end",
        description = "Serves a virtio device to a vhost-user front end such as QEMU's vhost-user-gpu-pci. Set"
                + " exactly one of socket_path and fd; device.target (a DS reference target filter) chooses the"
                + " device, by default (virtio.device.id=16).")
public @interface VhostUserConfig {

    String PID = "dev.neep.vhostuser";

    /** Property {@code socket_path} (the double underscore maps to one underscore). */
    @AttributeDefinition(name = "Socket path",
            description = "Path of the unix socket to create and listen on, as QEMU back-ends' --socket-path."
                    + " A socket file already there is replaced. Leave empty when fd is set. Default empty.")
    String socket__path() default "";

    @AttributeDefinition(name = "Listening descriptor", min = "-1",
            description = "Number of an inherited, already listening unix socket, as QEMU back-ends' --fd;"
                    + " -1 when socket_path is set. Default -1.")
    int fd() default -1;
}
