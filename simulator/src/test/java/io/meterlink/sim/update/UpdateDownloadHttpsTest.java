package io.meterlink.sim.update;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meterlink.core.tls.TlsContexts;
import io.meterlink.provisioning.update.UpdateDownload;
import io.meterlink.provisioning.update.UpdateException;
import io.meterlink.sim.pki.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The HTTPS path of an update download against a real HTTPS server on a socket (the JDK's): the package
 * is fetched when the server's certificate chains to the pinned utility CA and is for the host; a server
 * with a certificate from another CA, or one that sends more or fewer bytes than the signed size, or other
 * bytes, gives a typed refusal and leaves nothing behind.
 */
class UpdateDownloadHttpsTest {
    @TempDir Path dir;

    private HttpsServer server(TestPki pki, byte[] body) throws Exception {
        TestPki.KeyStoreFile ks = pki.keyStore(pki.issueLocalhostServer());
        KeyStore store = KeyStore.getInstance(ks.type());
        try (InputStream in = Files.newInputStream(ks.path())) {
            store.load(in, ks.password().toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, ks.password().toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx));
        s.createContext("/meterlink.jar", ex -> {
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        return s;
    }

    private static UpdateDownload.Manifest manifest(byte[] content, long size, String url) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        return UpdateDownload.manifest(new ObjectMapper().createObjectNode().put("version", "2.0").put("sha256", sha)
                .put("size", size).put("url", url));
    }

    @Test
    void fetch_trustsOnlyThePinnedCa_andTheSignedSizeAndHash() throws Exception {
        TestPki utility = TestPki.create(dir.resolve("pki"));
        TestPki other = TestPki.create(dir.resolve("other"), "Other CA");
        byte[] jar = new byte[300_000];
        new Random(17).nextBytes(jar);
        var pinned = TlsContexts.socketFactory(utility.caFile(), Optional.empty(), Optional.empty());
        UpdateDownload d = new UpdateDownload(dir.resolve("releases"));

        HttpsServer good = server(utility, jar);
        HttpsServer stranger = server(other, jar);
        try {
            String url = "https://localhost:" + good.getAddress().getPort() + "/meterlink.jar";
            Path fetched = d.fetch(manifest(jar, jar.length, url), pinned, Duration.ofSeconds(20));
            assertArrayEquals(jar, Files.readAllBytes(fetched));
            d.discard();

            String strangerUrl = "https://localhost:" + stranger.getAddress().getPort() + "/meterlink.jar";
            UpdateException e = assertThrows(UpdateException.class, () -> d.fetch(manifest(jar, jar.length, strangerUrl), pinned, Duration.ofSeconds(20)));
            assertEquals("download_failed", e.code(), e.getMessage());

            e = assertThrows(UpdateException.class, () -> d.fetch(manifest(jar, jar.length - 1, url), pinned, Duration.ofSeconds(20)));
            assertEquals("too_large", e.code(), e.getMessage());
            e = assertThrows(UpdateException.class, () -> d.fetch(manifest(jar, jar.length + 1, url), pinned, Duration.ofSeconds(20)));
            assertEquals("truncated", e.code(), e.getMessage());
            byte[] other2 = jar.clone();
            other2[5] ^= 1;
            e = assertThrows(UpdateException.class, () -> d.fetch(manifest(other2, jar.length, url), pinned, Duration.ofSeconds(20)));
            assertEquals("hash_mismatch", e.code(), e.getMessage());
            assertEquals(Optional.empty(), d.activeManifest(), "nothing left behind");
        } finally {
            good.stop(0);
            stranger.stop(0);
        }
    }
}
