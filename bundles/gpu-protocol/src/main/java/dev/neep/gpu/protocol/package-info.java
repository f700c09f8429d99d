/**
 * The virtio-gpu wire protocol of virtio 1.3 §5.7: constants, one immutable record per
 * request and response struct, each with its size, one decoder and one encoder, and
 * {@link dev.neep.gpu.protocol.Command}, the one table of what each command is on the wire
 * (type, queue, request struct and size, answer size).
 *
 * <p>All structs are little-endian on the wire, whatever the host's byte order. Decoders never
 * throw for guest-supplied bytes: they return a {@link dev.neep.gpu.protocol.Decoded} value that
 * is either the struct or a {@link dev.neep.gpu.protocol.DecodeError} naming the field at fault.
 *
 * <p>{@link dev.neep.gpu.protocol.Request}, {@link dev.neep.gpu.protocol.Response} and
 * {@link dev.neep.gpu.protocol.Decoded} are sealed: only this package implements them, so they
 * are {@code @ProviderType}.
 */
@Export
@Version("1.0.0")
package dev.neep.gpu.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
