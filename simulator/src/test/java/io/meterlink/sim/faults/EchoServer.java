package io.meterlink.sim.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A TCP echo server on 127.0.0.1 for proxy tests: every byte received is sent back. */
final class EchoServer implements AutoCloseable {
    private final ServerSocket server;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();

    EchoServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "echo-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    int port() { return server.getLocalPort(); }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                clients.add(s);
                Thread t = new Thread(() -> echo(s), "echo-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
        } catch (IOException ignored) {
            // client left
        } finally {
            clients.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : clients) s.close();
    }
}
