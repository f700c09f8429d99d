/**
 * Native access for vhost-user over JNA, as thin as it can be: owned descriptors
 * ({@link dev.neep.vhostuser.sys.Fd}), unix sockets with SCM_RIGHTS, shared mappings,
 * eventfds, epoll and poll. Every failure is an {@link java.io.IOException} naming the call;
 * when libc cannot be reached, {@link dev.neep.vhostuser.sys.Posix#unavailableReason()}
 * says why. Exported for the device extensions of the transport (vhost-user-gpu's display
 * channel), so that there is one copy of it.
 * {@link dev.neep.vhostuser.sys.Fd.Call} is the caller's code run with a descriptor
 * ({@code @ConsumerType}).
 */
@Export
@Version("1.1.0")
package dev.neep.vhostuser.sys;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
