package io.meterlink.drivers.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A raw TCP byte pipe, as offered by ser2net or an M-Bus/Ethernet converter; also wraps an
 * accepted socket on the simulator side.
 */
public final class TcpTransport implements Transport {
    private final String host;
    private final int port;
    private final int connectTimeoutMillis;
    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;

    public TcpTransport(String host, int port, int connectTimeoutMillis) {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host must be given");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        this.host = host;
        this.port = port;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /** Wraps an already connected socket (e.g. one accepted by a server); {@link #open()} is then a no-op. */
    public static TcpTransport connected(Socket s) throws IOException {
        TcpTransport t = new TcpTransport(s.getInetAddress().getHostAddress(), s.getPort(), 0);
        t.attach(s);
        return t;
    }

    @Override
    public synchronized void open() throws IOException {
        if (socket != null) return;
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            attach(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private void attach(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        in = s.getInputStream();
        out = s.getOutputStream();
        socket = s;
    }

    @Override
    public boolean isOpen() { return socket != null; }

    @Override
    public void write(byte[] bytes) throws IOException {
        requireOpen();
        out.write(bytes);
        out.flush();
    }

    @Override
    public int read(byte[] buf, int timeoutMillis) throws IOException {
        Socket s = requireOpen();
        s.setSoTimeout(Math.max(1, timeoutMillis));
        try {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) throw new IOException("connection closed by " + describe());
            return n;
        } catch (SocketTimeoutException e) {
            return 0;
        }
    }

    @Override
    public void drainInput() throws IOException {
        requireOpen();
        byte[] scratch = new byte[256];
        while (in.available() > 0) {
            if (in.read(scratch, 0, Math.min(scratch.length, in.available())) < 0) {
                throw new IOException("connection closed by " + describe());
            }
        }
    }

    private Socket requireOpen() throws IOException {
        Socket s = socket;
        if (s == null) throw new IOException(describe() + " is not connected");
        return s;
    }

    @Override
    public String describe() { return "tcp:" + host + ":" + port; }

    @Override
    public synchronized void close() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing: nothing left to do
            }
        }
    }
}
