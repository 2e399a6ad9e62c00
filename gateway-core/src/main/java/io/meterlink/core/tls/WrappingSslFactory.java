package io.meterlink.core.tls;

import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/** An {@link SSLSocketFactory} that hands every socket its delegate creates through {@link #wrap}. */
public abstract class WrappingSslFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    protected WrappingSslFactory(SSLSocketFactory delegate) { this.delegate = delegate; }

    /** The socket to hand out instead of {@code s} (or {@code s} itself). */
    protected abstract Socket wrap(Socket s);

    @Override public String[] getDefaultCipherSuites() { return delegate.getDefaultCipherSuites(); }
    @Override public String[] getSupportedCipherSuites() { return delegate.getSupportedCipherSuites(); }
    @Override public Socket createSocket() throws IOException { return wrap(delegate.createSocket()); }
    @Override public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return wrap(delegate.createSocket(s, host, port, autoClose));
    }
    @Override public Socket createSocket(String host, int port) throws IOException { return wrap(delegate.createSocket(host, port)); }
    @Override public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return wrap(delegate.createSocket(host, port, localHost, localPort));
    }
    @Override public Socket createSocket(InetAddress host, int port) throws IOException { return wrap(delegate.createSocket(host, port)); }
    @Override public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return wrap(delegate.createSocket(address, port, localAddress, localPort));
    }
}
