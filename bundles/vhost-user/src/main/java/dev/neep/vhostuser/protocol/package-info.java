/**
 * The vhost-user wire format (QEMU docs/interop/vhost-user.rst): the message header, the
 * request ids, the protocol feature bits and the payload structs, each a record with one
 * decode and one encode. Shared by the back-end, its device extensions and the front end
 * of tests.
 */
@Export
@Version("1.1.0")
package dev.neep.vhostuser.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
