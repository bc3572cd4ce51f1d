package io.drover.runner;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Stops the deploy when the process that started this JVM is gone. Maven runs the tests in a forked JVM, often
 * behind a shell wrapper; killing Maven or the wrapper used to leave that JVM orphaned, running every remaining
 * step. The watchdog watches the parent, and the grandparent too when the parent is a shell wrapper (killing
 * Maven leaves the wrapper waiting for its child). When one is gone, or this JVM was handed to another parent,
 * it marks the run as stopping (steps check {@link #stopReason()} before sending anything), says why, and ends
 * the JVM.
 */
final class ParentWatchdog {
    private static final Logger LOG = LoggerFactory.getLogger(ParentWatchdog.class);
    private static final Duration INTERVAL = Duration.ofMillis(250);
    /** Shutdown hooks (closing the broker connection) get this long before the JVM is halted. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(10);
    /** The exit code of a run stopped this way: 128 + SIGTERM, as if it had been killed itself. */
    static final int EXIT_CODE = 143;

    private final List<ProcessHandle> watched;
    private final long parentPid;
    private final Supplier<Optional<ProcessHandle>> currentParent;
    private final AtomicReference<String> stopReason = new AtomicReference<>();

    ParentWatchdog(List<ProcessHandle> watched, Supplier<Optional<ProcessHandle>> currentParent) {
        this.watched = List.copyOf(watched);
        this.parentPid = watched.isEmpty() ? -1 : watched.get(0).pid();
        this.currentParent = currentParent;
    }

    /** Watches this JVM's parent, and the parent's parent when the parent is a shell. */
    static ParentWatchdog ofThisProcess() {
        List<ProcessHandle> watched = new ArrayList<>();
        ProcessHandle.current().parent().filter(ParentWatchdog::worthWatching).ifPresent(parent -> {
            watched.add(parent);
            if (isShell(parent)) {
                parent.parent().filter(ParentWatchdog::worthWatching).ifPresent(watched::add);
            }
        });
        return new ParentWatchdog(watched, () -> ProcessHandle.current().parent());
    }

    /** init (or a container's first process) never goes away, and being its child says nothing. */
    private static boolean worthWatching(ProcessHandle process) {
        return process.pid() > 1 && process.isAlive();
    }

    private static boolean isShell(ProcessHandle process) {
        String command = process.info().command().orElse("");
        String name = command.substring(command.lastIndexOf('/') + 1);
        return name.equals("sh") || name.equals("dash") || name.equals("bash") || name.equals("ash");
    }

    /** Why the run is stopping, or {@code null} while it is not. */
    String stopReason() {
        return stopReason.get();
    }

    /** Looks once: returns why the run must stop, or {@code null}. Marks the run as stopping when it must. */
    String check() {
        if (stopReason.get() != null) {
            return stopReason.get();
        }
        String reason = null;
        for (ProcessHandle process : watched) {
            if (!process.isAlive()) {
                reason = "the process that started this run (pid " + process.pid() + ") is gone";
                break;
            }
        }
        if (reason == null && parentPid >= 0) {
            long now = currentParent.get().map(ProcessHandle::pid).orElse(-1L);
            if (now != parentPid) {
                reason = "this JVM's parent process (pid " + parentPid + ") is gone; its parent is now pid " + now;
            }
        }
        if (reason != null) {
            stopReason.compareAndSet(null, reason);
        }
        return stopReason.get();
    }

    /** Starts watching on a daemon thread; when the parent is gone, marks the run as stopping and ends the JVM. */
    void start() {
        if (watched.isEmpty()) {
            LOG.debug("No parent process to watch (this JVM's parent is init or unknown)");
            return;
        }
        Thread thread = new Thread(this::watch, "drover parent watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        try {
            while (check() == null) {
                Thread.sleep(INTERVAL.toMillis());
            }
            LOG.error("Stopping the deploy: {}. No further step is sent; hosts keep the state they reached. "
                    + "(Killing Maven or its test fork stops a deploy; run it again to converge.)", stopReason());
            Thread halt = new Thread(() -> {
                try {
                    Thread.sleep(EXIT_GRACE.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Runtime.getRuntime().halt(EXIT_CODE);
            }, "drover watchdog halt");
            halt.setDaemon(true);
            halt.start();
            System.exit(EXIT_CODE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            // The watchdog must never die silently: a run without it is the defect it exists for.
            LOG.error("The parent process watchdog failed; stopping Maven may not stop this deploy", e);
        }
    }
}
