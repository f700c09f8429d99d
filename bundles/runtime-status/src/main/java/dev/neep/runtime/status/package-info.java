/**
 * A snapshot of a running neep: every bundle's state and every Declarative Services
 * component's state, naming the services a waiting component still lacks. The runtime
 * logs it at start; the integration tests assert on the same snapshot, so what a test
 * checks is exactly what an operator reads.
 */
@Export
@Version("1.0.0")
package dev.neep.runtime.status;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
