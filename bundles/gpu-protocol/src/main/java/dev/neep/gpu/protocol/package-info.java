/**
 * The virtio-gpu wire protocol of virtio 1.3 §5.7: constants, and one immutable record per
 * request and response struct, each with its size, one decoder and one encoder.
 *
 * <p>All structs are little-endian on the wire, whatever the host's byte order. Decoders never
 * throw for guest-supplied bytes: they return a {@link dev.neep.gpu.protocol.Decoded} value that
 * is either the struct or a {@link dev.neep.gpu.protocol.DecodeError} naming the field at fault.
 */
@Export
@Version("0.1.0")
package dev.neep.gpu.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
