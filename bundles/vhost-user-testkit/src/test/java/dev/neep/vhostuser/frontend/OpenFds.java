package dev.neep.vhostuser.frontend;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;

/** The process's open descriptors, for tests that check a front end's are all released. */
final class OpenFds {

    private OpenFds() {
    }

    /**
     * Each descriptor as "number -> target". Compared as sets, not counted: the JVM opens and
     * closes descriptors of its own (jars, /dev/random) while a test runs, and a count would
     * let one of those hide a leak or fail a test that leaked nothing.
     */
    static Set<String> now() {
        Set<String> fds = new TreeSet<>();
        File[] entries = new File("/proc/self/fd").listFiles();
        for (File f : entries == null ? new File[0] : entries) {
            try {
                fds.add(f.getName() + " -> " + Files.readSymbolicLink(f.toPath()));
            } catch (IOException e) {
                // Closed between the listing and the read (the listing's own descriptor is one).
            }
        }
        return fds;
    }

    private static Set<String> leakedSince(Set<String> baseline) {
        Set<String> now = now();
        now.removeAll(baseline);
        return now;
    }

    /** Waits until no descriptor opened since {@code baseline} is still open. */
    static void assertReleasedSince(Set<String> baseline) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (!leakedSince(baseline).isEmpty() && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        assertEquals("descriptors opened for the front end and still open", Set.of(), leakedSince(baseline));
    }
}
