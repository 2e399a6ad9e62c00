package io.meterlink.sim.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a directory (needs root: {@code mount -t tmpfs -o size=…}), which can be
 * filled to the last byte and freed again: the {@code disk_full} fault and the storage-fault tests
 * put the gateway's buffer on it. {@link #close} unmounts it.
 */
public final class SmallFileSystem implements AutoCloseable {

    private static final String FILLER = ".meterlink-disk-full-filler";

    private final Path dir;

    private SmallFileSystem(Path dir) {
        this.dir = dir;
    }

    /**
     * Mounts a tmpfs of {@code bytes} on {@code dir} (created when missing).
     *
     * @throws IOException when it cannot be mounted (not root, no mount command, no tmpfs): the
     *                     message says why
     */
    public static SmallFileSystem mount(Path dir, long bytes) throws IOException {
        Files.createDirectories(dir);
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "tmpfs", dir.toString()));
        return new SmallFileSystem(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Writes a filler file until the file system has no byte left; returns its size. */
    public long fill() throws IOException {
        Path filler = dir.resolve(FILLER);
        long written = 0;
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException full) {
            // ENOSPC: now top up byte by byte what a whole block did not fit
        }
        try (OutputStream out = Files.newOutputStream(filler, StandardOpenOption.APPEND)) {
            for (int i = 0; i < block.length; i++) {
                out.write(0);
                out.flush();
                written++;
            }
        } catch (IOException full) {
            // full to the last byte
        }
        return written;
    }

    /** Deletes the filler: the space is back. */
    public void free() throws IOException {
        Files.deleteIfExists(dir.resolve(FILLER));
    }

    /** Free bytes as the file system reports them. */
    public long usable() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** Lazily unmounts (the gateway may still hold files open). */
    @Override
    public void close() throws IOException {
        run(List.of("umount", "-l", dir.toString()));
    }

    private static void run(List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + " interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
        }
    }
}
