/**
 * A guest-side virtio-gpu driver in plain Java, for unit tests, Pax Exam tests and
 * benchmarks: it sets up the control and cursor queues in a {@link dev.neep.virtio.GuestMemory},
 * negotiates features and activates any {@link dev.neep.virtio.VirtioDevice} as a transport
 * and the Linux driver would, then issues commands and waits, bounded, for their answers
 * and fences. {@link dev.neep.testkit.GpuDriver#start(dev.neep.virtio.VirtioDevice)} does it in
 * one call with guest memory of its own; {@link dev.neep.testkit.GpuDriver#drawImage} shows an
 * image of the caller's, {@link dev.neep.testkit.GpuDriver#drawPattern}
 * {@link dev.neep.testkit.TestPattern}, the image the real guest harness draws. On the host
 * side, {@link dev.neep.testkit.RecordingSink} is a display sink for assertions (the newest
 * picture of each scanout, bounded waits for the expected one), and
 * {@link dev.neep.testkit.TrackingProvider} counts what a device leaves in its backend.
 *
 * <p>Nothing here knows OSGi.
 */
@Export
@Version("1.2.0")
package dev.neep.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
