package dev.neep.itests;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.AssumptionViolatedException;
import org.junit.runner.Description;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunNotifier;
import org.junit.runners.model.InitializationError;
import org.ops4j.pax.exam.junit.PaxExam;

/**
 * {@link PaxExam} for tests that need libvirglrenderer: where the library is not installed,
 * every test is reported skipped with the reason, and no framework is started.
 *
 * <p>The decision has to be made here, outside the framework: Pax Exam runs a test's
 * {@code @Before} and body inside the framework and reports a failed assumption there as a
 * pass. Inside, the tests still check that the backend bundle did load the library, and fail
 * (not skip) when it is installed but does not load.
 */
public class VirglPaxExam extends PaxExam {

    /** backend-virgl's system property naming the library (a file name or a path). */
    static final String LIBRARY_PROPERTY = "neep.virgl.library";

    public VirglPaxExam(Class<?> testClass) throws InitializationError {
        super(testClass);
    }

    @Override
    public void run(RunNotifier notifier) {
        Optional<String> missing = whyNotInstalled();
        if (missing.isEmpty()) {
            super.run(notifier);
            return;
        }
        AssumptionViolatedException skipped = new AssumptionViolatedException(missing.get());
        for (Description test : getDescription().getChildren()) {
            notifier.fireTestStarted(test);
            notifier.fireTestAssumptionFailed(new Failure(test, skipped));
            notifier.fireTestFinished(test);
        }
    }

    /**
     * Why libvirglrenderer is not installed, or empty when it is: the file the backend would
     * load ({@value #LIBRARY_PROPERTY}, else {@code libvirglrenderer.so} or
     * {@code libvirglrenderer.so.1}) in a library directory of this JVM or of the dynamic
     * linker's environment.
     */
    static Optional<String> whyNotInstalled() {
        String configured = System.getProperty(LIBRARY_PROPERTY, "");
        List<String> names = configured.isBlank() ? List.of("libvirglrenderer.so", "libvirglrenderer.so.1")
                : List.of(configured.contains("/") || configured.startsWith("lib") ? configured
                        : "lib" + configured + ".so");
        Set<String> directories = new LinkedHashSet<>();
        for (String variable : new String[] {System.getenv("LD_LIBRARY_PATH"), System.getProperty("jna.library.path"),
            System.getProperty("java.library.path")}) {
            if (variable != null) {
                directories.addAll(List.of(variable.split(File.pathSeparator)));
            }
        }
        List<String> looked = new ArrayList<>();
        for (String name : names) {
            if (name.contains("/")) {
                if (Files.isRegularFile(Path.of(name))) {
                    return Optional.empty();
                }
                looked.add(name);
                continue;
            }
            for (String directory : directories) {
                if (!directory.isEmpty() && Files.isRegularFile(Path.of(directory, name))) {
                    return Optional.empty();
                }
            }
            looked.add(name + " in " + directories);
        }
        return Optional.of("libvirglrenderer is not installed (no " + String.join(", no ", looked)
                + "); ./neep test installs libvirglrenderer1 with the Mesa EGL pieces, or set -D" + LIBRARY_PROPERTY);
    }
}
