package io.meterlink.drivers.ert;

import io.meterlink.drivers.transport.Transport;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The standard output of a child process as a byte pipe (e.g. {@code rtlamr -format=json}): started
 * on {@link #open()}, ended on {@link #close()}; its end is a broken line. Standard error is dropped.
 * Not thread-safe beyond {@link Transport}'s rules.
 */
final class ProcessTransport implements Transport {
    private final List<String> command;
    private volatile Process process;
    private InputStream in;

    ProcessTransport(List<String> command) {
        if (command.isEmpty()) throw new IllegalArgumentException("command must be given");
        this.command = List.copyOf(command);
    }

    @Override
    public void open() throws IOException {
        if (process != null && process.isAlive()) return;
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        in = process.getInputStream();
    }

    @Override public boolean isOpen() { return process != null && process.isAlive(); }

    @Override public void write(byte[] bytes) throws IOException { throw new IOException("a process line is read-only"); }

    @Override
    public int read(byte[] buf, int timeoutMillis) throws IOException {
        Process p = process;
        if (p == null) throw new IOException("not open");
        long until = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            int avail = in.available();
            if (avail > 0) return in.read(buf, 0, Math.min(avail, buf.length));
            if (!p.isAlive()) {
                int n = in.read(buf); // what is left after exit
                if (n > 0) return n;
                throw new IOException(command.get(0) + " exited with status " + p.exitValue());
            }
            if (System.currentTimeMillis() >= until) return 0;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    @Override public void drainInput() throws IOException { in.skip(in.available()); }

    @Override public String describe() { return "process:" + command.get(0); }

    @Override
    public void close() {
        Process p = process;
        process = null;
        if (p != null) p.destroy();
    }
}
