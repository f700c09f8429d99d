/**
 * A backend bundle as a third party would write one, for the integration tests that show a new
 * kind plugs in with no change to the device: {@link dev.neep.testbackend.BackendRecord} tells
 * a test what the device did with the {@value dev.neep.testbackend.BackendRecord#KIND} backend.
 * {@link dev.neep.testbackend.BackendRecord} is implemented here and called by tests
 * ({@code @ProviderType}).
 */
@Export
@Version("1.0.0")
package dev.neep.testbackend;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
