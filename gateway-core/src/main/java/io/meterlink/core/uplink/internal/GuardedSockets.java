package io.meterlink.core.uplink.internal;

import javax.net.SocketFactory;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.function.Function;

import io.meterlink.core.tls.WrappingSslFactory;

/**
 * Socket factories whose sockets read through an {@link InboundPacketGuard}: the MQTT client
 * library sees the same sockets (an {@link SSLSocket} for TLS, as Paho casts it), except that their
 * input stream never yields an MQTT packet above the limit.
 */
final class GuardedSockets {
    private GuardedSockets() {
    }

    /** Wraps a socket's input stream; called once per socket. */
    interface Guard extends Function<InputStream, InputStream> {
    }

    /** {@code tls} (may be null for plaintext) with every socket guarded. */
    static SocketFactory factory(SocketFactory tls, Guard guard) {
        if (tls instanceof SSLSocketFactory ssl) return new Ssl(ssl, guard);
        return new Plain(guard);
    }

    private static final class Plain extends SocketFactory {
        private final Guard guard;

        Plain(Guard guard) { this.guard = guard; }

        private Socket guarded() {
            return new Socket() {
                private InputStream in;

                @Override public synchronized InputStream getInputStream() throws IOException {
                    if (in == null) in = guard.apply(super.getInputStream());
                    return in;
                }
            };
        }

        private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
            Socket s = guarded();
            if (local != null) s.bind(local);
            s.connect(remote);
            return s;
        }

        @Override public Socket createSocket() { return guarded(); }
        @Override public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }
        @Override public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
        }
        @Override public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }
        @Override public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
        }
    }

    private static final class Ssl extends WrappingSslFactory {
        private final Guard guard;

        Ssl(SSLSocketFactory delegate, Guard guard) {
            super(delegate);
            this.guard = guard;
        }

        @Override protected Socket wrap(Socket s) {
            return s instanceof SSLSocket ssl ? new GuardedSslSocket(ssl, guard) : s;
        }
    }

    /** An {@link SSLSocket} that forwards everything to the JDK's socket, guarding its input stream. */
    private static final class GuardedSslSocket extends SSLSocket {
        private final SSLSocket d;
        private final Guard guard;
        private InputStream in;

        GuardedSslSocket(SSLSocket delegate, Guard guard) {
            this.d = delegate;
            this.guard = guard;
        }

        @Override public synchronized InputStream getInputStream() throws IOException {
            if (in == null) in = guard.apply(d.getInputStream());
            return in;
        }

        @Override public OutputStream getOutputStream() throws IOException { return d.getOutputStream(); }
        @Override public void connect(SocketAddress endpoint) throws IOException { d.connect(endpoint); }
        @Override public void connect(SocketAddress endpoint, int timeout) throws IOException { d.connect(endpoint, timeout); }
        @Override public void bind(SocketAddress bindpoint) throws IOException { d.bind(bindpoint); }
        @Override public InetAddress getInetAddress() { return d.getInetAddress(); }
        @Override public InetAddress getLocalAddress() { return d.getLocalAddress(); }
        @Override public int getPort() { return d.getPort(); }
        @Override public int getLocalPort() { return d.getLocalPort(); }
        @Override public SocketAddress getRemoteSocketAddress() { return d.getRemoteSocketAddress(); }
        @Override public SocketAddress getLocalSocketAddress() { return d.getLocalSocketAddress(); }
        @Override public void setTcpNoDelay(boolean on) throws SocketException { d.setTcpNoDelay(on); }
        @Override public boolean getTcpNoDelay() throws SocketException { return d.getTcpNoDelay(); }
        @Override public void setSoLinger(boolean on, int linger) throws SocketException { d.setSoLinger(on, linger); }
        @Override public int getSoLinger() throws SocketException { return d.getSoLinger(); }
        @Override public void setSoTimeout(int timeout) throws SocketException { d.setSoTimeout(timeout); }
        @Override public int getSoTimeout() throws SocketException { return d.getSoTimeout(); }
        @Override public void setSendBufferSize(int size) throws SocketException { d.setSendBufferSize(size); }
        @Override public int getSendBufferSize() throws SocketException { return d.getSendBufferSize(); }
        @Override public void setReceiveBufferSize(int size) throws SocketException { d.setReceiveBufferSize(size); }
        @Override public int getReceiveBufferSize() throws SocketException { return d.getReceiveBufferSize(); }
        @Override public void setKeepAlive(boolean on) throws SocketException { d.setKeepAlive(on); }
        @Override public boolean getKeepAlive() throws SocketException { return d.getKeepAlive(); }
        @Override public void close() throws IOException { d.close(); }
        @Override public void shutdownInput() throws IOException { d.shutdownInput(); }
        @Override public void shutdownOutput() throws IOException { d.shutdownOutput(); }
        @Override public boolean isConnected() { return d.isConnected(); }
        @Override public boolean isBound() { return d.isBound(); }
        @Override public boolean isClosed() { return d.isClosed(); }
        @Override public boolean isInputShutdown() { return d.isInputShutdown(); }
        @Override public boolean isOutputShutdown() { return d.isOutputShutdown(); }
        @Override public String toString() { return d.toString(); }
        @Override public String[] getSupportedCipherSuites() { return d.getSupportedCipherSuites(); }
        @Override public String[] getEnabledCipherSuites() { return d.getEnabledCipherSuites(); }
        @Override public void setEnabledCipherSuites(String[] suites) { d.setEnabledCipherSuites(suites); }
        @Override public String[] getSupportedProtocols() { return d.getSupportedProtocols(); }
        @Override public String[] getEnabledProtocols() { return d.getEnabledProtocols(); }
        @Override public void setEnabledProtocols(String[] protocols) { d.setEnabledProtocols(protocols); }
        @Override public SSLSession getSession() { return d.getSession(); }
        @Override public SSLSession getHandshakeSession() { return d.getHandshakeSession(); }
        @Override public void addHandshakeCompletedListener(HandshakeCompletedListener l) { d.addHandshakeCompletedListener(l); }
        @Override public void removeHandshakeCompletedListener(HandshakeCompletedListener l) { d.removeHandshakeCompletedListener(l); }
        @Override public void startHandshake() throws IOException { d.startHandshake(); }
        @Override public void setUseClientMode(boolean mode) { d.setUseClientMode(mode); }
        @Override public boolean getUseClientMode() { return d.getUseClientMode(); }
        @Override public void setNeedClientAuth(boolean need) { d.setNeedClientAuth(need); }
        @Override public boolean getNeedClientAuth() { return d.getNeedClientAuth(); }
        @Override public void setWantClientAuth(boolean want) { d.setWantClientAuth(want); }
        @Override public boolean getWantClientAuth() { return d.getWantClientAuth(); }
        @Override public void setEnableSessionCreation(boolean flag) { d.setEnableSessionCreation(flag); }
        @Override public boolean getEnableSessionCreation() { return d.getEnableSessionCreation(); }
        @Override public SSLParameters getSSLParameters() { return d.getSSLParameters(); }
        @Override public void setSSLParameters(SSLParameters params) { d.setSSLParameters(params); }
        @Override public String getApplicationProtocol() { return d.getApplicationProtocol(); }
        @Override public String getHandshakeApplicationProtocol() { return d.getHandshakeApplicationProtocol(); }
    }
}
