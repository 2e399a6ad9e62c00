package io.meterlink.core.runtime;

import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Messages to systemd's notification socket ({@code sd_notify(3)}): one datagram on the AF_UNIX
 * socket named by {@code NOTIFY_SOCKET} per message, newline-separated {@code KEY=value} lines such
 * as {@code READY=1}, {@code WATCHDOG=1}, {@code STATUS=…}, {@code STOPPING=1}. A path starting with
 * {@code @} is in the abstract namespace. Java 17's own AF_UNIX support has stream sockets only, so
 * the datagram goes through junixsocket (docs/packaging.md, "Watchdog" says why).
 *
 * <p>Without {@code NOTIFY_SOCKET} (not under systemd, or {@code Type=} other than notify) every
 * send is a no-op. A failed send is logged once and never thrown: the notifications must not stop
 * the gateway. Thread-safe.
 */
public final class SdNotify implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SdNotify.class);

    /** Sends nothing. */
    public static final SdNotify NONE = new SdNotify(null, null, null);

    private final String socketName;
    private final AFUNIXDatagramChannel socket;
    private final AFUNIXSocketAddress target;
    private volatile boolean failureLogged;

    private SdNotify(String socketName, AFUNIXDatagramChannel socket, AFUNIXSocketAddress target) {
        this.socketName = socketName;
        this.socket = socket;
        this.target = target;
    }

    /** The notifier {@code env} asks for ({@code NOTIFY_SOCKET}); {@link #NONE} without it or when it cannot be opened. */
    public static SdNotify fromEnvironment(Map<String, String> env) {
        String name = env.get("NOTIFY_SOCKET");
        if (name == null || name.isEmpty()) return NONE;
        try {
            AFUNIXSocketAddress address = name.startsWith("@")
                    ? AFUNIXSocketAddress.inAbstractNamespace(name.substring(1))
                    : AFUNIXSocketAddress.of(Path.of(name));
            return new SdNotify(name, AFUNIXDatagramChannel.open(), address);
        } catch (IOException | RuntimeException | LinkageError e) {
            // no native library (noexec temp directory?): systemd will time out waiting for READY=1
            LOG.error("Cannot open the systemd notification socket {}: {}; READY=1 and the watchdog pings cannot be sent "
                    + "(set -Dorg.newsclub.net.unix.library.tmpdir to an executable directory)", name, e.toString());
            return NONE;
        }
    }

    /**
     * The watchdog interval systemd expects pings within ({@code WATCHDOG_USEC}), when it is meant for
     * this process ({@code WATCHDOG_PID} unset or ours).
     */
    public static Optional<Duration> watchdogInterval(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        String forPid = env.get("WATCHDOG_PID");
        if (usec == null || usec.isEmpty()) return Optional.empty();
        try {
            if (forPid != null && !forPid.isEmpty() && Long.parseLong(forPid.strip()) != pid) return Optional.empty();
            long micros = Long.parseLong(usec.strip());
            return micros > 0 ? Optional.of(Duration.ofNanos(micros * 1000)) : Optional.empty();
        } catch (NumberFormatException e) {
            LOG.warn("Ignoring a malformed WATCHDOG_USEC/WATCHDOG_PID: {}/{}", usec, forPid);
            return Optional.empty();
        }
    }

    /** True when messages go to a socket. */
    public boolean enabled() {
        return socket != null;
    }

    /** Sends one message ({@code KEY=value} lines); returns whether it was sent. */
    public boolean send(String message) {
        if (socket == null) return false;
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(ByteBuffer.wrap(bytes), target);
            return true;
        } catch (IOException | RuntimeException e) {
            if (!failureLogged) {
                failureLogged = true;
                LOG.warn("Sending to the systemd notification socket {} failed: {} (further failures logged at debug)", socketName, e.toString());
            } else {
                LOG.debug("Sending to {} failed: {}", socketName, e.toString());
            }
            return false;
        }
    }

    @Override public void close() {
        if (socket == null) return;
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing the notification socket: {}", e.toString());
        }
    }
}
