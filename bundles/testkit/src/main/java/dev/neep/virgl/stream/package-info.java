/**
 * An encoder for the virgl command stream (the payload of VIRTIO_GPU_CMD_SUBMIT_3D for virgl
 * contexts), enough to draw without a guest: tests and tools build small streams with
 * {@link dev.neep.virgl.stream.VirglCommandStream}. Test support, in the testkit bundle: the
 * guest's side of SUBMIT_3D, which no backend needs.
 */
@Export
@Version("1.1.0")
package dev.neep.virgl.stream;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
