package io.meterlink.sim.broker;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An MQTT broker inside the simulator's JVM (Moquette), for the demo: TLS only (no plaintext
 * listener), username/password authentication, and an authorisation policy like the one a
 * utility runs — a gateway may write only under {@code <prefix>/<its user name>/}, the head-end
 * may read everything under the prefix. Speaks MQTT 3.1.1.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final Server server = new Server();
    private final Map<String, byte[]> passwordHashes = new ConcurrentHashMap<>();
    private final String headEndUser;
    private final String topicPrefix;
    private final int port;

    private EmbeddedBroker(String topicPrefix, String headEndUser, int port) {
        this.topicPrefix = topicPrefix;
        this.headEndUser = headEndUser;
        this.port = port;
    }

    /**
     * Starts the broker on a free loopback port.
     *
     * @param serverCert PEM certificate chain for {@code localhost}
     * @param serverKey  PEM PKCS#8 private key
     * @param dataDir    where the broker may keep its files
     * @param users      user name to password; the gateway users and the head-end user
     * @param headEndUser the one user allowed to read every gateway's topics
     */
    public static EmbeddedBroker start(Path serverCert, Path serverKey, Path dataDir, String topicPrefix,
                                       Map<String, char[]> users, String headEndUser) throws IOException {
        EmbeddedBroker broker = new EmbeddedBroker(topicPrefix, headEndUser, freePort());
        users.forEach((u, p) -> broker.passwordHashes.put(u, sha256(new String(p).getBytes(StandardCharsets.UTF_8))));
        Files.createDirectories(dataDir);
        Properties props = new Properties();
        props.setProperty("host", "127.0.0.1");
        props.setProperty("port", "disabled");
        props.setProperty("ssl_port", Integer.toString(broker.port));
        props.setProperty("websocket_port", "disabled");
        props.setProperty("allow_anonymous", "false");
        props.setProperty("persistence_enabled", "false");
        props.setProperty("data_path", dataDir.toString());
        props.setProperty("telemetry_enabled", "false");
        props.setProperty("netty.mqtt.message_size", Integer.toString(8 * 1024 * 1024));
        SslContext ssl = serverContext(serverCert, serverKey);
        broker.server.startServer(new MemoryConfig(props), List.of(), () -> ssl, broker.authenticator(), broker.policy());
        return broker;
    }

    public int port() { return port; }

    public String url() { return "ssl://localhost:" + port; }

    private static SslContext serverContext(Path cert, Path key) {
        try {
            return SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .protocols("TLSv1.3", "TLSv1.2")
                    .clientAuth(ClientAuth.NONE)
                    .build();
        } catch (SSLException e) {
            throw new UncheckedIOException(e);
        }
    }

    private IAuthenticator authenticator() {
        return (clientId, username, password) -> {
            if (username == null || password == null) return false;
            byte[] expected = passwordHashes.get(username);
            return expected != null && MessageDigest.isEqual(expected, sha256(password));
        };
    }

    private IAuthorizatorPolicy policy() {
        return new IAuthorizatorPolicy() {
            @Override public boolean canWrite(Topic topic, String user, String client) {
                return user != null && !user.equals(headEndUser) && topic.toString().startsWith(topicPrefix + "/" + user + "/");
            }

            @Override public boolean canRead(Topic topic, String user, String client) {
                String t = topic.toString();
                if (headEndUser.equals(user)) return t.startsWith(topicPrefix + "/");
                return user != null && t.startsWith(topicPrefix + "/" + user + "/cmd/");
            }
        };
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        server.stopServer();
    }
}
