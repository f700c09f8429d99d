package dev.neep.runtime.status.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

import dev.neep.config.support.ConfigurationRefused;
import dev.neep.config.support.TypedConfiguration;
import dev.neep.runtime.status.RuntimeReport;

/**
 * Logs a {@link RuntimeReport} once bundle and service events have stopped for a while
 * (components come up in bursts; a report in the middle of one says nothing useful), and
 * after that only what changed, after each later burst.
 */
@Component(configurationPid = StatusConfig.PID, immediate = true)
@Designate(ocd = StatusConfig.class)
@StatusConfig
public final class StatusReporter {

    private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);

    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private final long settleNanos;
    private final long maxWaitNanos;
    private final Set<String> mayWait;
    private final boolean exitOnRefused;
    private final Thread worker;
    private final BundleListener bundleListener = e -> eventSeen();
    private final ServiceListener serviceListener = e -> eventSeen();

    private final Object lock = new Object();
    private boolean pending = true;
    private long pendingSince = System.nanoTime();
    private long lastEvent = pendingSince;

    @Activate
    public StatusReporter(BundleContext context, @Reference(name = "scr") ServiceComponentRuntime scr,
                          Map<String, Object> properties) {
        this.context = context;
        this.scr = scr;
        StatusSettings settings = StatusSettings.from(TypedConfiguration.read(StatusConfig.class, properties));
        this.settleNanos = TimeUnit.MILLISECONDS.toNanos(settings.settleMs());
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(settings.maxWaitMs());
        this.mayWait = settings.mayWait();
        this.exitOnRefused = settings.exitOnRefused();
        if (LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory) {
            // Nothing of this component's (or anyone's) logging would be seen: say so where it is.
            System.err.println("neep: SLF4J found no provider, so log output is lost; start slf4j-simple"
                    + " and SPI Fly before any bundle that logs");
        }
        context.addBundleListener(bundleListener);
        context.addServiceListener(serviceListener);
        worker = new Thread(this::run, "neep-status");
        worker.setDaemon(true);
        worker.start();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        context.removeServiceListener(serviceListener);
        context.removeBundleListener(bundleListener);
        worker.interrupt();
        worker.join(TimeUnit.NANOSECONDS.toMillis(settleNanos) + 1000);
    }

    private void eventSeen() {
        synchronized (lock) {
            long now = System.nanoTime();
            lastEvent = now;
            if (!pending) {
                pending = true;
                pendingSince = now;
            }
            lock.notifyAll();
        }
    }

    private void run() {
        RuntimeReport previous = null;
        try {
            while (true) {
                awaitSettled();
                RuntimeReport report;
                try {
                    report = RuntimeReport.capture(context, scr);
                } catch (IllegalStateException stopping) {
                    return; // our bundle context went away under us: the bundle is stopping
                }
                if (previous == null) {
                    LOG.info("neep runtime: {}", String.join(System.lineSeparator(), report.lines()));
                } else {
                    List<String> changes = report.changesSince(previous);
                    if (!changes.isEmpty()) {
                        LOG.info("neep runtime changed: {}{}{}", report.summary(), System.lineSeparator(),
                                String.join(System.lineSeparator(), changes));
                    }
                }
                List<String> problems = report.problems(mayWait);
                if (!problems.isEmpty() && (previous == null || !problems.equals(previous.problems(mayWait)))) {
                    LOG.warn("neep runtime has {} problem(s):{}{}", problems.size(), System.lineSeparator(),
                            String.join(System.lineSeparator(), problems));
                }
                previous = report;
                List<String> refused = refusals(report);
                if (exitOnRefused && !refused.isEmpty()) {
                    refused.forEach(r -> System.err.println("neep: configuration refused: " + r));
                    // Not a framework stop: the launcher would exit 0, and the user's value was wrong.
                    System.exit(1);
                }
            }
        } catch (InterruptedException deactivated) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("neep runtime status reporting stopped", e);
        }
    }

    /**
     * The refused configurations in {@code report}, each as {@link ConfigurationRefused}'s message
     * ({@code <pid>: <property>=<value>: <rule>}): of a component that failed to activate on one,
     * and of one held waiting by a configuration plugin ({@link ConfigurationRefused#TARGET_PROPERTY}).
     */
    static List<String> refusals(RuntimeReport report) {
        String failed = ConfigurationRefused.class.getName() + ": ";
        String held = "(" + ConfigurationRefused.TARGET_PROPERTY + "=";
        List<String> refused = new ArrayList<>();
        for (RuntimeReport.ComponentState c : report.components()) {
            String failure = c.failure() == null ? "" : c.failure().lines().findFirst().orElse("");
            if (failure.startsWith(failed)) {
                refused.add(failure.substring(failed.length()));
            }
            for (String waiting : c.waitingFor()) {
                int at = waiting.indexOf(held);
                int end = waiting.lastIndexOf(')');
                if (at >= 0 && end > at + held.length()) {
                    refused.add(unescape(waiting.substring(at + held.length(), end)));
                }
            }
        }
        return refused;
    }

    /** An LDAP filter value as written (RFC 4515's backslash escapes of {@code ( ) * \} undone). */
    private static String unescape(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '\\' && i + 1 < value.length()) {
                ch = value.charAt(++i);
            }
            b.append(ch);
        }
        return b.toString();
    }

    /** Returns once events are pending and none came for the settle time (or the longest wait passed). */
    private void awaitSettled() throws InterruptedException {
        synchronized (lock) {
            while (!pending) {
                lock.wait();
            }
            while (true) {
                long now = System.nanoTime();
                long until = Math.min(lastEvent + settleNanos, pendingSince + maxWaitNanos);
                if (now - until >= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, until - now);
            }
            pending = false;
        }
    }
}
