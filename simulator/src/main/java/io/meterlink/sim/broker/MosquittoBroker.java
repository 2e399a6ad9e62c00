package io.meterlink.sim.broker;

import io.meterlink.sim.pki.TestPki;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto 2.x broker ({@code /usr/sbin/mosquitto}) as a child process, for integration
 * tests and simulator scenarios.
 *
 * <p>Listeners, both on 127.0.0.1 and a free port chosen at the first start (kept across restarts):
 * <ul>
 *   <li>{@link #port()}: TLS with client certificates ({@code require_certificate true},
 *       {@code use_identity_as_username true}: the username is the certificate CN);</li>
 *   <li>{@link #passwordPort()} (only when a password user was added): TLS without client
 *       certificates, username/password from a {@code password_file}.</li>
 * </ul>
 * ACL: each user writes only {@code <prefix>/%u/#} and reads {@code <prefix>/%u/cmd/#}; the head-end
 * user reads {@code <prefix>/#} and writes {@code <prefix>/+/cmd/#}. Persistence is on with
 * {@code autosave_interval 1}, so a SIGKILL loses at most about one second of acknowledged messages.
 * The broker log is {@link #logFile()}; the process's own output (startup errors) {@link #outputFile()}.
 *
 * <p>Not thread-safe: drive it from one (test) thread.
 */
public final class MosquittoBroker implements AutoCloseable {

    /** Where Debian installs the broker. */
    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Path dir;
    private final Path caFile;
    private final TestPki.Issued serverCert;
    private final String topicPrefix;
    private final String headEndUser;
    private final Map<String, String> passwordUsers;
    private final List<String> extraConfig;
    private final List<String> aclLines;
    private final Path crlFile;
    private final Duration startTimeout;
    private int port;
    private int passwordPort;
    private Process process;

    private MosquittoBroker(Builder b) {
        this.dir = b.dir;
        this.caFile = b.caFile;
        this.serverCert = b.serverCert;
        this.topicPrefix = b.topicPrefix;
        this.headEndUser = b.headEndUser;
        this.passwordUsers = Map.copyOf(b.passwordUsers);
        this.extraConfig = List.copyOf(b.extraConfig);
        this.aclLines = List.copyOf(b.aclLines);
        this.crlFile = b.crlFile;
        this.startTimeout = b.startTimeout;
    }

    /** Whether the broker binary is installed here. */
    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /**
     * @param dir        working directory (config, ACL, password file, persistence, log); created if missing
     * @param caFile     CA that issues the client certificates (PEM); use a dedicated CA (see PITFALLS)
     * @param serverCert the broker's certificate and key
     */
    public static Builder builder(Path dir, Path caFile, TestPki.Issued serverCert) {
        return new Builder(dir, caFile, serverCert);
    }

    /** Builder; defaults: prefix {@code meterlink/v1}, head-end user {@code headend}, no password listener. */
    public static final class Builder {
        private final Path dir;
        private final Path caFile;
        private final TestPki.Issued serverCert;
        private String topicPrefix = "meterlink/v1";
        private String headEndUser = "headend";
        private final Map<String, String> passwordUsers = new LinkedHashMap<>();
        private final List<String> extraConfig = new ArrayList<>();
        private final List<String> aclLines = new ArrayList<>();
        private Path crlFile;
        private Duration startTimeout = Duration.ofSeconds(30);

        private Builder(Path dir, Path caFile, TestPki.Issued serverCert) {
            this.dir = Objects.requireNonNull(dir);
            this.caFile = Objects.requireNonNull(caFile);
            this.serverCert = Objects.requireNonNull(serverCert);
        }

        public Builder topicPrefix(String prefix) { this.topicPrefix = prefix; return this; }

        /** The user (client certificate CN, or password user) that may read every gateway's topics. */
        public Builder headEndUser(String user) { this.headEndUser = user; return this; }

        /** Adds a user of the password listener (which exists only when at least one is added). */
        public Builder passwordUser(String user, String password) { passwordUsers.put(user, password); return this; }

        /** A raw line appended to the generated configuration (global section). */
        public Builder extraConfig(String line) { extraConfig.add(line); return this; }

        /**
         * A raw ACL line appended after the default ones ({@code pattern …} applies to everyone;
         * {@code user NAME} starts a block of {@code topic …} lines for that user).
         */
        public Builder aclLine(String line) { aclLines.add(line); return this; }

        /**
         * A PEM CRL file ({@code crlfile}) checked for client certificates on every listener; the
         * broker reads it at start, so {@link MosquittoBroker#restart()} after changing it.
         */
        public Builder crlFile(Path file) { this.crlFile = file; return this; }

        public Builder startTimeout(Duration d) { this.startTimeout = d; return this; }

        public MosquittoBroker build() { return new MosquittoBroker(this); }
    }

    /** Writes the configuration and starts the broker; returns when the TLS port accepts connections. */
    public synchronized MosquittoBroker start() throws IOException, InterruptedException {
        if (isRunning()) throw new IllegalStateException("already running");
        if (!available()) throw new IOException("mosquitto is not installed at " + BINARY + " (apt-get install mosquitto)");
        Files.createDirectories(dir.resolve("data"));
        if (port == 0) {
            port = freePort();
            passwordPort = passwordUsers.isEmpty() ? 0 : freePort();
        }
        Path conf = writeConfig();
        ProcessBuilder pb = new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile().toFile()));
        process = pb.start();
        awaitPort(port);
        if (passwordPort != 0) awaitPort(passwordPort);
        return this;
    }

    /** SIGTERM and wait (Mosquitto saves its persistence file on the way out). */
    public synchronized void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** SIGKILL and wait: whatever was not yet autosaved is lost. */
    public synchronized void kill() throws InterruptedException {
        if (process == null) return;
        process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        process = null;
    }

    /** {@link #stop()} then {@link #start()} on the same ports with the same persistence. */
    public synchronized void restart() throws IOException, InterruptedException {
        stop();
        start();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The mutual-TLS listener port (0 before the first start). */
    public int port() { return port; }

    /** The username/password TLS listener port (0 when there is none or before the first start). */
    public int passwordPort() { return passwordPort; }

    /** {@code ssl://localhost:<port>} of the mutual-TLS listener. */
    public String url() { return "ssl://localhost:" + port; }

    /** {@code ssl://localhost:<passwordPort>}. */
    public String passwordUrl() { return "ssl://localhost:" + passwordPort; }

    /** The broker's log ({@code log_type all}). */
    public Path logFile() { return dir.resolve("mosquitto.log"); }

    /** The process's stdout/stderr (configuration errors before the log opens). */
    public Path outputFile() { return dir.resolve("mosquitto.out"); }

    /** The last {@code maxLines} lines of the log, for test failure messages. */
    public String logTail(int maxLines) {
        try {
            List<String> lines = new ArrayList<>();
            for (Path p : List.of(outputFile(), logFile())) {
                if (Files.exists(p)) lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
            }
            return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private Path writeConfig() throws IOException {
        List<String> c = new ArrayList<>();
        c.add("# generated by io.meterlink.sim.broker.MosquittoBroker");
        c.add("per_listener_settings false");
        c.add("allow_anonymous false");
        if ("root".equals(System.getProperty("user.name"))) {
            c.add("user root"); // otherwise Mosquitto drops to user 'mosquitto' and cannot read our 0600 key
        }
        c.add("persistence true");
        c.add("persistence_location " + dir.resolve("data") + "/");
        c.add("autosave_interval 1"); // default 1800 s: a kill would lose acknowledged messages (PITFALLS)
        c.add("log_dest file " + logFile());
        c.add("log_type all");
        c.add("log_timestamp_format %Y-%m-%dT%H:%M:%S");
        c.add("connection_messages true");
        c.add("max_inflight_messages 0");
        // a large queue for offline persistent subscribers (the head-end). Not 0 ("unlimited"):
        // Mosquitto 2.0 then answers every denied QoS 1 publish by disconnecting (quota check)
        c.add("max_queued_messages 1000000");
        c.add("acl_file " + writeAcl());
        if (!passwordUsers.isEmpty()) c.add("password_file " + writePasswords());
        c.addAll(extraConfig);
        c.add("");
        c.add("listener " + port + " 127.0.0.1");
        tls(c);
        c.add("require_certificate true");
        c.add("use_identity_as_username true");
        if (passwordPort != 0) {
            c.add("");
            c.add("listener " + passwordPort + " 127.0.0.1");
            tls(c);
            c.add("require_certificate false");
        }
        Path conf = dir.resolve("mosquitto.conf");
        Files.write(conf, c, StandardCharsets.UTF_8);
        return conf;
    }

    private void tls(List<String> c) {
        c.add("cafile " + caFile);
        c.add("certfile " + serverCert.certFile());
        c.add("keyfile " + serverCert.keyFile());
        c.add("tls_version tlsv1.2");
        if (crlFile != null) c.add("crlfile " + crlFile);
    }

    private Path writeAcl() throws IOException {
        List<String> a = new ArrayList<>();
        // pattern lines apply to every user, wherever they stand
        a.add("pattern write " + topicPrefix + "/%u/#");
        a.add("pattern read " + topicPrefix + "/%u/cmd/#");
        a.add("");
        a.add("user " + headEndUser);
        a.add("topic read " + topicPrefix + "/#");
        a.add("topic write " + topicPrefix + "/+/cmd/#");
        if (!aclLines.isEmpty()) {
            a.add("");
            a.addAll(aclLines);
        }
        Path acl = dir.resolve("acl");
        Files.write(acl, a, StandardCharsets.UTF_8);
        return acl;
    }

    private Path writePasswords() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (var e : passwordUsers.entrySet()) {
            sb.append(e.getKey()).append(':').append(hash(e.getValue())).append('\n');
        }
        Path file = dir.resolve("passwd");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        return file;
    }

    /** Mosquitto 2.x password hash: {@code $7$<iterations>$<salt b64>$<PBKDF2-HMAC-SHA512 b64>}. */
    static String hash(String password) {
        try {
            byte[] salt = new byte[12];
            new SecureRandom().nextBytes(salt);
            int iterations = 101;
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512");
            byte[] h = f.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 512)).getEncoded();
            Base64.Encoder b64 = Base64.getEncoder();
            return "$7$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(h);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 unavailable", e);
        }
    }

    private void awaitPort(int p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited with " + process.exitValue() + ":\n" + logTail(30));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", p), 500);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("mosquitto did not open port " + p + " within " + startTimeout + ":\n" + logTail(30));
                }
                Thread.sleep(50);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
