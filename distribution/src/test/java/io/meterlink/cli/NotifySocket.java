package io.meterlink.cli;

import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** A systemd notification socket the test owns: an AF_UNIX datagram socket bound at a path, as systemd's. */
final class NotifySocket implements AutoCloseable {
    private final Path path;
    private final AFUNIXDatagramSocket socket;

    NotifySocket(Path path) throws IOException {
        this.path = path;
        this.socket = AFUNIXDatagramSocket.newInstance();
        socket.bind(AFUNIXSocketAddress.of(path));
        socket.setSoTimeout(500);
        // a service running as another user may send to it, as to systemd's
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
    }

    Path path() { return path; }

    /**
     * The first message matching within {@code seconds}; fails with what was seen and
     * {@code context} (e.g. the process's stderr) when none does or {@code alive} turns false.
     */
    String await(Predicate<String> match, int seconds, Supplier<Boolean> alive, Supplier<String> context) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String m = receive();
            if (m == null) {
                if (!alive.get()) fail("the process exited; seen " + seen + "\n" + context.get());
                continue;
            }
            if (match.test(m)) return m;
            seen.add(m);
        }
        return fail("no matching message within " + seconds + " s; seen " + seen + "\n" + context.get());
    }

    /** Every message within {@code seconds}. */
    List<String> collect(int seconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> out = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String m = receive();
            if (m != null) out.add(m);
        }
        return out;
    }

    private String receive() throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.UTF_8);
    }

    @Override public void close() throws IOException {
        socket.close();
        Files.deleteIfExists(path);
    }
}
