/**
 * How every neep configuration is read: {@link dev.neep.config.support.TypedConfiguration}
 * turns a PID's dictionary into its typed {@code @ObjectClassDefinition} interface, strictly,
 * and {@link dev.neep.config.support.ConfigurationRefused} is the one refusal, naming the
 * PID, the property and the value. Plain Java: no OSGi type is needed to use it.
 */
@Export
@Version("1.1.0")
package dev.neep.config.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
