/**
 * What the display sinks share, so that each sink holds only what makes it different:
 * {@link dev.neep.display.support.ForwardingDisplaySink} (the DS shell over a plain
 * sink), {@link dev.neep.display.support.Picture} (a scanout as ARGB, updated by dirty
 * rectangles), {@link dev.neep.display.support.PacedPictures} (a sink's calls hand the newest
 * pixels to a worker thread that reads and works on them, at most once per scanout per
 * interval),
 * {@link dev.neep.display.support.Png} and {@link dev.neep.display.support.Cursors}.
 * {@link dev.neep.display.support.PacedPictures.Work} and
 * {@link dev.neep.display.support.PacedPictures.Done} are the sink's own code, run by the
 * worker ({@code @ConsumerType}).
 */
@Export
@Version("2.0.0")
package dev.neep.display.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
