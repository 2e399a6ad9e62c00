package io.meterlink.provisioning.tech;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The local "open the technician endpoint" signal of {@code meterlink provision open}: a trigger
 * file {@value #FILE_NAME} in the state directory, owned by root (uid 0) and mode 0600. Only root
 * can create a file owned by root, so the signal proves the request came from root on the gateway
 * itself; nothing is listening on any socket for it. The running gateway polls for the file,
 * deletes it, and opens the endpoint only when owner, mode and type are right and the file is
 * fresh (written within {@link #MAX_AGE}); anything else is deleted and logged.
 */
public final class LocalOpenSignal {
    private static final Logger LOG = LoggerFactory.getLogger(LocalOpenSignal.class);
    public static final String FILE_NAME = "tech-open";
    /** A trigger older than this (written while no gateway ran) is ignored. */
    public static final Duration MAX_AGE = Duration.ofMinutes(2);
    /** How often the gateway looks for the trigger. */
    public static final Duration POLL = Duration.ofSeconds(1);

    /** The requester is not the required user (root). */
    public static final class NotPermittedException extends IOException {
        public NotPermittedException(String message) { super(message); }
    }

    private final Path stateDir;
    private final int requiredUid;
    private final Clock clock;

    /** @param requiredUid owner the trigger must have: 0 (root) on a gateway; the test user's uid in tests */
    public LocalOpenSignal(Path stateDir, int requiredUid, Clock clock) {
        this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
        this.requiredUid = requiredUid;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Path file() { return stateDir.resolve(FILE_NAME); }

    /**
     * Writes the trigger (0600, atomically by rename) for the running gateway to pick up.
     *
     * @throws NotPermittedException when the file we created is not owned by the required user (not run as root)
     */
    public void request() throws IOException {
        if (!Files.isDirectory(stateDir)) throw new IOException("state directory " + stateDir + " does not exist");
        Path tmp;
        try {
            tmp = Files.createTempFile(stateDir, ".tech-open", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (AccessDeniedException e) {
            throw new NotPermittedException("cannot write to " + stateDir + ": run 'meterlink provision open' as root on the gateway");
        }
        try {
            int uid = (Integer) Files.getAttribute(tmp, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (uid != requiredUid) {
                throw new NotPermittedException("must run as " + (requiredUid == 0 ? "root" : "uid " + requiredUid)
                        + " (running as uid " + uid + ")");
            }
            Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Whether the trigger is still waiting for the gateway to pick it up. */
    public boolean pending() {
        return Files.exists(file(), LinkOption.NOFOLLOW_LINKS);
    }

    /** Withdraws a trigger nobody picked up. */
    public void withdraw() throws IOException {
        Files.deleteIfExists(file());
    }

    /**
     * Consumes the trigger if there is one: deletes it and returns true when it is a valid signal.
     * Called by the gateway's poller.
     */
    public boolean consume() {
        Path f = file();
        if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) return false;
        String refused = null;
        try {
            Map<String, Object> a = Files.readAttributes(f, "unix:uid,mode,lastModifiedTime,isRegularFile", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            FileTime modified = (FileTime) a.get("lastModifiedTime");
            if (!(Boolean) a.get("isRegularFile")) refused = "not a regular file";
            else if (uid != requiredUid) refused = "owned by uid " + uid + ", not " + requiredUid;
            else if ((mode & 0077) != 0) refused = "mode " + Integer.toOctalString(mode & 0777) + ", not 600";
            else if (modified.toInstant().isBefore(clock.instant().minus(MAX_AGE))) refused = "older than " + MAX_AGE.toMinutes() + " minutes";
        } catch (IOException | RuntimeException e) {
            refused = "unreadable: " + e.getMessage();
        }
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.warn("Cannot delete the trigger {}: {}", f, e.getMessage());
            return false; // a trigger we cannot remove would reopen the endpoint forever
        }
        if (refused != null) {
            LOG.warn("Ignored the technician trigger {}: {}", f, refused);
            return false;
        }
        return true;
    }

    /** Polls for the trigger every {@link #POLL} and runs {@code onOpen} for each valid one. Close to stop. */
    public AutoCloseable watch(Runnable onOpen) {
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meterlink-tech-trigger");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(() -> {
            try {
                if (consume()) {
                    LOG.info("Technician endpoint requested locally (provision open)");
                    onOpen.run();
                }
            } catch (RuntimeException e) {
                LOG.error("Opening the technician endpoint on the local signal failed", e);
            }
        }, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
        return poller::shutdownNow;
    }
}
