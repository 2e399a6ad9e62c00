package io.meterlink.sim.faults;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 between a client (the gateway) and a server (the broker) that breaks the
 * link on purpose, switchable at run time. It forwards bytes untouched, so any protocol works,
 * TLS included (the handshake passes through end to end).
 *
 * <ul>
 *   <li>{@link #cut()}: every connection is closed with a RST ({@link #cut(boolean)} with {@code false}: FIN),
 *       and the listening port is closed, so new connections are refused (ECONNREFUSED) until {@link #restore()}.</li>
 *   <li>{@link #blackHole()}: sockets stay open but nothing is forwarded either way and no RST is sent;
 *       new connections are accepted but not connected onward. Bytes already read are held, not dropped
 *       (like TCP retransmitting into a dead path), and flow on after {@link #restore()}.</li>
 *   <li>{@link #latency(Direction, Duration)}: each chunk is delayed this long before it is forwarded.</li>
 *   <li>{@link #bandwidth(long)}: at most this many bytes per second each way.</li>
 *   <li>{@link #flap}: cut and restore at random intervals until {@link #stopFlapping()}.</li>
 * </ul>
 * Counters: {@link #stats()}. Thread-safe; every method may be called from any thread.
 * Uses a few platform threads per connection: meant for a handful of connections, not thousands.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    private static final int CHUNK = 16 * 1024;

    /** Which way bytes flow: client to server ({@code UPSTREAM}) or back ({@code DOWNSTREAM}). */
    public enum Direction { UPSTREAM, DOWNSTREAM }

    /**
     * Counters since the proxy started.
     *
     * @param bytesUpstream       bytes forwarded client → server
     * @param bytesDownstream     bytes forwarded server → client
     * @param connectionsAccepted client connections accepted
     * @param connectionsOpen     client connections open now
     * @param upstreamFailures    connections closed because the server could not be reached
     * @param cuts                calls of {@link #cut} (including those by flapping)
     */
    public record Stats(long bytesUpstream, long bytesDownstream, long connectionsAccepted, int connectionsOpen,
                        long upstreamFailures, long cuts) {}

    private final InetSocketAddress target;
    private final int port;
    private final Thread acceptor;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong upstreamFailures = new AtomicLong();
    private final AtomicLong cuts = new AtomicLong();
    private final Object lock = new Object();

    private volatile boolean running = true;
    private volatile boolean cutState;
    private volatile boolean blackHoled;
    private volatile long latencyUpNanos;
    private volatile long latencyDownNanos;
    private volatile long bytesPerSecond;
    private ServerSocket server; // guarded by lock; null while cut
    private Thread flapper;      // guarded by lock

    /**
     * Starts listening on 127.0.0.1.
     *
     * @param listenPort 0 for a free port (see {@link #port()})
     * @param targetHost the server's host
     * @param targetPort the server's port
     */
    public FaultProxy(int listenPort, String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(Objects.requireNonNull(targetHost, "targetHost"), targetPort);
        this.server = bind(listenPort);
        this.port = server.getLocalPort();
        acceptor = new Thread(this::acceptLoop, "fault-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port clients connect to (on 127.0.0.1). */
    public int port() { return port; }

    /** Cuts every connection with a RST and refuses new ones until {@link #restore()}. */
    public void cut() { cut(true); }

    /**
     * Cuts every connection and refuses new ones until {@link #restore()}.
     *
     * @param reset true: close with a RST (connection reset); false: an orderly FIN
     */
    public void cut(boolean reset) {
        synchronized (lock) {
            cutState = true;
            cuts.incrementAndGet();
            closeQuietly(server);
            server = null;
        }
        for (Connection c : connections) c.abort(reset);
        LOG.info("fault proxy {}: cut ({})", port, reset ? "RST" : "FIN");
    }

    /** Stops forwarding both ways without closing anything (no RST, no FIN) until {@link #restore()}. */
    public void blackHole() {
        blackHoled = true;
        LOG.info("fault proxy {}: black hole", port);
    }

    /** Ends a cut or a black hole: new connections are accepted and held bytes flow again. Latency and bandwidth stay. */
    public void restore() {
        synchronized (lock) {
            if (server == null && running) {
                try {
                    server = bind(port);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot listen on port " + port + " again", e);
                }
                lock.notifyAll();
            }
            cutState = false;
        }
        blackHoled = false;
        LOG.info("fault proxy {}: restored", port);
    }

    public boolean isCut() { return cutState; }

    public boolean isBlackHoled() { return blackHoled; }

    /** Adds this delay to every chunk flowing in {@code direction} (zero: none). Applies to bytes read from now on. */
    public void latency(Direction direction, Duration delay) {
        long n = delay.toNanos();
        if (n < 0) throw new IllegalArgumentException("latency >= 0");
        if (direction == Direction.UPSTREAM) latencyUpNanos = n;
        else latencyDownNanos = n;
    }

    /** Caps each direction at this many bytes per second; 0 removes the cap. */
    public void bandwidth(long bytesPerSecond) {
        if (bytesPerSecond < 0) throw new IllegalArgumentException("bytes per second >= 0");
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * Alternates up and down (cut with RST) at random intervals, starting with an up phase, until
     * {@link #stopFlapping()}: each up phase lasts uniformly between {@code minUp} and {@code maxUp},
     * each down phase between {@code minDown} and {@code maxDown}. The same seed gives the same intervals.
     */
    public void flap(Duration minUp, Duration maxUp, Duration minDown, Duration maxDown, long seed) {
        if (minUp.compareTo(maxUp) > 0 || minDown.compareTo(maxDown) > 0 || minUp.isNegative() || minDown.isNegative()) {
            throw new IllegalArgumentException("need 0 <= min <= max for up and down");
        }
        Random random = new Random(seed);
        stopFlapper();
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(between(random, minUp, maxUp));
                    cut(true);
                    Thread.sleep(between(random, minDown, maxDown));
                } catch (InterruptedException e) {
                    return; // stopFlapping restores
                }
                try {
                    restore();
                } catch (UncheckedIOException e) {
                    LOG.warn("fault proxy {}: flapping could not restore, tries again: {}", port, e.getMessage());
                }
            }
        }, "fault-proxy-flap-" + port);
        t.setDaemon(true);
        synchronized (lock) {
            flapper = t;
        }
        t.start();
    }

    /** Stops flapping and restores the link. */
    public void stopFlapping() {
        stopFlapper();
        restore();
    }

    public boolean isFlapping() {
        synchronized (lock) {
            return flapper != null;
        }
    }

    public Stats stats() {
        return new Stats(bytesUp.get(), bytesDown.get(), accepted.get(), connections.size(), upstreamFailures.get(), cuts.get());
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        running = false;
        stopFlapper();
        synchronized (lock) {
            closeQuietly(server);
            server = null;
            lock.notifyAll();
        }
        for (Connection c : connections) c.abort(false);
        acceptor.interrupt();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the flapping thread and waits for it (outside the lock, which it takes to cut and restore). */
    private void stopFlapper() {
        Thread t;
        synchronized (lock) {
            t = flapper;
            flapper = null;
        }
        if (t == null || t == Thread.currentThread()) return;
        t.interrupt();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long between(Random r, Duration min, Duration max) {
        long lo = min.toMillis(), hi = max.toMillis();
        return hi == lo ? lo : lo + (long) (r.nextDouble() * (hi - lo + 1));
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        return s;
    }

    private void acceptLoop() {
        while (running) {
            ServerSocket s;
            synchronized (lock) {
                while (running && server == null) {
                    try {
                        lock.wait(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                s = server;
            }
            if (s == null) return;
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                continue; // closed by cut() or close()
            }
            accepted.incrementAndGet();
            if (cutState || !running) {
                abortSocket(client, true);
                continue;
            }
            Connection c = new Connection(client);
            connections.add(c);
            c.start();
        }
    }

    /** Blocks while the link is black-holed; false when this connection is gone meanwhile. */
    private boolean awaitPassable(Connection c) throws InterruptedException {
        while (blackHoled) {
            if (c.closed) return false;
            Thread.sleep(10);
        }
        return !c.closed;
    }

    private static void abortSocket(Socket s, boolean reset) {
        if (s == null) return;
        try {
            if (reset) s.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // already closed
        }
        closeQuietly(s);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // closing
        }
    }

    private record Chunk(byte[] bytes, long dueNanos) {}

    /** One proxied client connection: a connector thread, then a reader and a writer per direction. */
    private final class Connection {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean closed;
        private int directionsDone; // guarded by this

        Connection(Socket client) { this.client = client; }

        void start() {
            Thread t = new Thread(this::connect, "fault-proxy-" + port + "-conn");
            t.setDaemon(true);
            t.start();
        }

        private void connect() {
            try {
                if (!awaitPassable(this)) return;
                Socket up = new Socket();
                up.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                up.connect(target, 10_000);
                upstream = up;
                if (closed) { // cut while connecting
                    abortSocket(up, true);
                    return;
                }
                pipe(client, up, Direction.UPSTREAM);
                pipe(up, client, Direction.DOWNSTREAM);
            } catch (IOException e) {
                upstreamFailures.incrementAndGet();
                LOG.debug("fault proxy {}: cannot reach {}: {}", port, target, e.getMessage());
                abort(true);
            } catch (InterruptedException e) {
                abort(true);
            }
        }

        private void pipe(Socket from, Socket to, Direction d) throws IOException {
            BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(64);
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[CHUNK];
                try {
                    while (!closed) {
                        long cap = bytesPerSecond;
                        int max = cap > 0 ? (int) Math.max(1, Math.min(CHUNK, cap / 20)) : CHUNK;
                        int n = in.read(buf, 0, max);
                        long delay = d == Direction.UPSTREAM ? latencyUpNanos : latencyDownNanos;
                        byte[] chunk = n < 0 ? new byte[0] : Arrays.copyOf(buf, n); // empty chunk = end of stream
                        if (!awaitPassable(this)) return;
                        queue.put(new Chunk(chunk, System.nanoTime() + delay));
                        if (n < 0) return;
                    }
                } catch (IOException | InterruptedException e) {
                    abort(false);
                }
            }, "fault-proxy-" + port + "-" + d + "-in");
            Thread writer = new Thread(() -> {
                long nextFree = System.nanoTime();
                try {
                    while (!closed) {
                        Chunk next = queue.poll(100, TimeUnit.MILLISECONDS);
                        if (next == null) continue;
                        byte[] chunk = next.bytes();
                        long wait = next.dueNanos() - System.nanoTime();
                        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                        if (chunk.length == 0) { // the sender closed its side: pass the FIN on
                            to.shutdownOutput();
                            directionDone();
                            return;
                        }
                        for (int off = 0; off < chunk.length; ) {
                            if (!awaitPassable(this)) return;
                            long cap = bytesPerSecond;
                            int len = cap > 0 ? (int) Math.min(chunk.length - off, Math.max(1, cap / 20)) : chunk.length - off;
                            if (cap > 0) {
                                long now = System.nanoTime();
                                if (nextFree > now) TimeUnit.NANOSECONDS.sleep(nextFree - now);
                                nextFree = Math.max(nextFree, now) + len * 1_000_000_000L / cap;
                            }
                            out.write(chunk, off, len);
                            out.flush();
                            (d == Direction.UPSTREAM ? bytesUp : bytesDown).addAndGet(len);
                            off += len;
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    abort(false);
                }
            }, "fault-proxy-" + port + "-" + d + "-out");
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }

        private synchronized void directionDone() {
            if (++directionsDone == 2) abort(false);
        }

        void abort(boolean reset) {
            synchronized (this) {
                if (closed) return;
                closed = true;
            }
            connections.remove(this);
            abortSocket(client, reset);
            abortSocket(upstream, reset);
        }
    }
}
