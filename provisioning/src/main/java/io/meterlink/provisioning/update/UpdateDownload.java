package io.meterlink.provisioning.update;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterlink.provisioning.secret.ProvisioningException;
import io.meterlink.provisioning.secret.SecureFiles;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The download of one update package into {@code releases/.incoming}: through MQTT in numbered chunks of
 * the manifest's {@code chunk_size} (in order; a chunk already received is acknowledged again, so a
 * head-end resumes after a lost reply, a reconnect or a restart from {@link #nextChunk}), or from an
 * HTTPS URL whose server must chain to the pinned utility CA. The size is bounded by the signed
 * manifest (at most {@link #MAX_SIZE}); a complete file whose SHA-256 is not the manifest's is deleted.
 * Thread-safe (serialised).
 */
public final class UpdateDownload {
    /** Largest update package. */
    public static final long MAX_SIZE = 64L * 1024 * 1024;
    public static final int MIN_CHUNK = 1024;
    public static final int MAX_CHUNK = 512 * 1024;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    static final String PART = "package.part";
    static final String MANIFEST = "manifest";

    /**
     * The signed description of an update package.
     *
     * @param version   the release it becomes ({@link Releases#VERSION})
     * @param sha256    lowercase hex of the jar's SHA-256
     * @param size      the jar's size in bytes
     * @param chunkSize bytes per MQTT chunk (the last one is shorter)
     * @param url       an {@code https://} URL to fetch it from instead of chunks, if given
     */
    public record Manifest(String version, String sha256, long size, int chunkSize, Optional<String> url) {
        public long chunks() { return (size + chunkSize - 1) / chunkSize; }

        String line() { return version + " " + sha256 + " " + size + " " + chunkSize; }
    }

    /** What a chunk did. */
    public record Progress(long nextChunk, long chunks, Optional<Path> complete) {
    }

    private final Path dir;

    public UpdateDownload(Path releasesRoot) {
        this.dir = releasesRoot.resolve(".incoming");
    }

    /** The manifest in the {@code args} of a signed {@code update} command. */
    public static Manifest manifest(JsonNode args) throws UpdateException {
        String version = args.path("version").asText("");
        String sha = args.path("sha256").asText("").toLowerCase(Locale.ROOT);
        JsonNode size = args.path("size");
        int chunk = args.path("chunk_size").asInt(256 * 1024);
        if (!Releases.VERSION.matcher(version).matches()) throw new UpdateException("bad_manifest", "version must be 1-64 letters, digits and . + ~ _ -");
        if (!SHA256.matcher(sha).matches()) throw new UpdateException("bad_manifest", "sha256 must be 64 hex digits");
        if (!size.isIntegralNumber() || size.asLong() < 1) throw new UpdateException("bad_manifest", "size must be a positive integer");
        if (size.asLong() > MAX_SIZE) throw new UpdateException("too_large", "an update package is at most " + MAX_SIZE + " bytes");
        if (chunk < MIN_CHUNK || chunk > MAX_CHUNK) throw new UpdateException("bad_manifest", "chunk_size must be " + MIN_CHUNK + " to " + MAX_CHUNK);
        Optional<String> url = Optional.ofNullable(args.path("url").textValue());
        if (url.isPresent() && !url.get().startsWith("https://")) throw new UpdateException("bad_manifest", "url must be https://");
        return new Manifest(version, sha, size.asLong(), chunk, url);
    }

    /**
     * Starts receiving {@code m}; the partial file of the same manifest (same version, hash, size and
     * chunk size) is kept, so a download resumes; any other is dropped. Returns the next chunk wanted.
     */
    public synchronized long begin(Manifest m) throws UpdateException {
        try {
            SecureFiles.privateDirectory(dir.getParent());
            SecureFiles.privateDirectory(dir);
            Optional<String> before = readManifestLine();
            if (before.isEmpty() || !before.get().equals(m.line()) || !Files.exists(dir.resolve(PART))) {
                Files.deleteIfExists(dir.resolve(PART));
                SecureFiles.replace(dir.resolve(MANIFEST), m.line().getBytes(StandardCharsets.US_ASCII), false);
                SecureFiles.create(dir.resolve(PART), new byte[0]);
            }
            return nextChunk(m);
        } catch (IOException | ProvisioningException e) {
            throw new UpdateException("storage", "cannot prepare the download: " + e.getClass().getSimpleName(), e);
        }
    }

    private Optional<String> readManifestLine() throws IOException {
        Path f = dir.resolve(MANIFEST);
        return Files.exists(f) ? Optional.of(Files.readString(f, StandardCharsets.US_ASCII).trim()) : Optional.empty();
    }

    private long nextChunk(Manifest m) throws IOException {
        Path part = dir.resolve(PART);
        long have = Files.exists(part) ? Files.size(part) : 0;
        return have / m.chunkSize();
    }

    /** The manifest of the download in progress (as written by {@link #begin} from a signed command), if any. */
    public synchronized Optional<Manifest> activeManifest() {
        try {
            Optional<String> line = readManifestLine();
            if (line.isEmpty()) return Optional.empty();
            String[] f = line.get().split(" ");
            if (f.length != 4) return Optional.empty();
            return Optional.of(new Manifest(f[0], f[1], Long.parseLong(f[2]), Integer.parseInt(f[3]), Optional.empty()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Takes chunk {@code index} of {@code m}: the next one is appended (fsync'd), one already received is
     * ignored, a later one is refused ({@code out_of_order}), a chunk of the wrong length is refused
     * ({@code bad_chunk}). After the last one the file is checked against the manifest's SHA-256.
     */
    public synchronized Progress chunk(Manifest m, long index, byte[] data) throws UpdateException {
        try {
            Optional<String> active = readManifestLine();
            if (active.isEmpty() || !active.get().equals(m.line())) throw new UpdateException("no_download", "no download of this package is in progress; send 'update' first");
            long next = nextChunk(m);
            if (index < 0 || index >= m.chunks()) throw new UpdateException("bad_chunk", "chunk " + index + " is outside 0.." + (m.chunks() - 1));
            if (index > next) throw new UpdateException("out_of_order", "chunk " + index + " came before chunk " + next + "; send " + next + " next");
            if (index < next) return new Progress(next, m.chunks(), Optional.empty()); // a repeat: already stored
            long expected = Math.min(m.chunkSize(), m.size() - index * m.chunkSize());
            if (data.length != expected) throw new UpdateException("bad_chunk", "chunk " + index + " has " + data.length + " bytes, expected " + expected);
            Path part = dir.resolve(PART);
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) ch.write(b);
                ch.force(false);
            }
            next++;
            if (next < m.chunks()) return new Progress(next, m.chunks(), Optional.empty());
            return new Progress(next, m.chunks(), Optional.of(verified(m)));
        } catch (IOException e) {
            throw new UpdateException("storage", "cannot store the chunk: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Fetches {@code m.url()} over HTTPS with {@code tls} (trusting only the pinned utility CA), at most
     * {@code m.size()} bytes within {@code timeout} per read, then checks it like the last chunk.
     */
    public synchronized Path fetch(Manifest m, SSLSocketFactory tls, Duration timeout) throws UpdateException {
        begin(m);
        Path part = dir.resolve(PART);
        try {
            Files.write(part, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
            HttpsURLConnection c = (HttpsURLConnection) URI.create(m.url().orElseThrow()).toURL().openConnection();
            c.setSSLSocketFactory(tls);
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            c.setInstanceFollowRedirects(false);
            if (c.getResponseCode() != 200) throw new UpdateException("download_failed", "the server answered HTTP " + c.getResponseCode());
            long total = 0;
            try (InputStream in = c.getInputStream(); OutputStream out = Files.newOutputStream(part, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > m.size()) throw new UpdateException("too_large", "the server sent more than the manifest's " + m.size() + " bytes");
                    out.write(buf, 0, n);
                }
            }
            if (total != m.size()) throw new UpdateException("truncated", "the server sent " + total + " of " + m.size() + " bytes");
            SecureFiles.fsync(part);
            return verified(m);
        } catch (IOException | RuntimeException e) {
            discard();
            throw new UpdateException("download_failed", "cannot fetch the package: " + e.getClass().getSimpleName(), e);
        } catch (UpdateException e) {
            discard();
            throw e;
        }
    }

    private Path verified(Manifest m) throws IOException, UpdateException {
        Path part = dir.resolve(PART);
        if (Files.size(part) != m.size()) {
            discard();
            throw new UpdateException("truncated", "the package has " + Files.size(part) + " of " + m.size() + " bytes");
        }
        String actual = sha256(part);
        if (!actual.equals(m.sha256())) {
            discard();
            throw new UpdateException("hash_mismatch", "the package's SHA-256 is not the signed one; it was deleted");
        }
        return part;
    }

    /** Forgets the download (after install, or a failure). */
    public synchronized void discard() {
        try {
            SecureFiles.deleteTree(dir);
        } catch (IOException e) {
            // left for the next begin, which resets it
        }
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
