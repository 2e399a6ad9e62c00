package io.meterlink.provisioning.update;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpdateDownloadTest {
    @TempDir Path dir;
    private final byte[] jar = new byte[5000];

    private UpdateDownload.Manifest manifest(byte[] content, long size) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        return UpdateDownload.manifest(new ObjectMapper().createObjectNode().put("version", "2.0").put("sha256", sha)
                .put("size", size).put("chunk_size", 2048));
    }

    private static String code(UpdateException e) { return e.code(); }

    @Test
    void chunks_inOrder_resumeAfterANewInstance_andVerify() throws Exception {
        new Random(7).nextBytes(jar);
        UpdateDownload.Manifest m = manifest(jar, jar.length);
        UpdateDownload d = new UpdateDownload(dir);
        assertEquals(0, d.begin(m));
        assertEquals(1, d.chunk(m, 0, Arrays.copyOfRange(jar, 0, 2048)).nextChunk());
        assertEquals("out_of_order", code(assertThrows(UpdateException.class, () -> d.chunk(m, 2, Arrays.copyOfRange(jar, 4096, 5000)))));
        // a restart: the same manifest resumes where it was
        UpdateDownload again = new UpdateDownload(dir);
        assertEquals(1, again.begin(m));
        assertEquals(m, again.activeManifest().orElseThrow());
        assertEquals(2, again.chunk(m, 1, Arrays.copyOfRange(jar, 2048, 4096)).nextChunk());
        assertEquals("bad_chunk", code(assertThrows(UpdateException.class, () -> again.chunk(m, 2, Arrays.copyOfRange(jar, 4096, 4999)))));
        Path done = again.chunk(m, 2, Arrays.copyOfRange(jar, 4096, 5000)).complete().orElseThrow();
        assertArrayEquals(jar, Files.readAllBytes(done));
    }

    @Test
    void wrongHash_deletesThePackage_andBadManifestsAreRefused() throws Exception {
        new Random(8).nextBytes(jar);
        UpdateDownload.Manifest m = manifest(jar, jar.length);
        UpdateDownload d = new UpdateDownload(dir);
        d.begin(m);
        byte[] other = jar.clone();
        other[10] ^= 1;
        d.chunk(m, 0, Arrays.copyOfRange(other, 0, 2048));
        d.chunk(m, 1, Arrays.copyOfRange(other, 2048, 4096));
        assertEquals("hash_mismatch", code(assertThrows(UpdateException.class, () -> d.chunk(m, 2, Arrays.copyOfRange(other, 4096, 5000)))));
        assertTrue(d.activeManifest().isEmpty());
        assertFalse(Files.exists(dir.resolve(".incoming").resolve(UpdateDownload.PART)));
        assertEquals("too_large", code(assertThrows(UpdateException.class, () -> manifest(jar, UpdateDownload.MAX_SIZE + 1))));
        var json = new ObjectMapper();
        assertEquals("bad_manifest", code(assertThrows(UpdateException.class, () -> UpdateDownload.manifest(
                json.createObjectNode().put("version", "../../bin").put("sha256", "00".repeat(32)).put("size", 10)))));
        assertEquals("bad_manifest", code(assertThrows(UpdateException.class, () -> UpdateDownload.manifest(
                json.createObjectNode().put("version", "2").put("sha256", "00".repeat(32)).put("size", 10).put("url", "http://x/")))));
    }
}
