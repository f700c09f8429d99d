/**
 * What the display sinks share, so that each sink holds only what makes it different:
 * {@link dev.neep.display.support.ForwardingDisplaySink} (the DS shell over a plain
 * sink), {@link dev.neep.display.support.Picture} (a scanout as ARGB, updated by dirty
 * rectangles), {@link dev.neep.display.support.PacedPictures} (the device's thread hands the
 * newest picture to a worker thread, at most once per scanout per interval),
 * {@link dev.neep.display.support.Png} and {@link dev.neep.display.support.Cursors}.
 * {@link dev.neep.display.support.PacedPictures.Work} and
 * {@link dev.neep.display.support.PacedPictures.Done} are the sink's own code, run by the
 * worker ({@code @ConsumerType}).
 */
@Export
@Version("1.0.0")
package dev.neep.display.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
