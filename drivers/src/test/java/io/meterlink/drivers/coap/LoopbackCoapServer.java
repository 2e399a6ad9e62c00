package io.meterlink.drivers.coap;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A Californium CoAP server on a free loopback port serving one resource: a meter for the driver's tests. */
final class LoopbackCoapServer implements AutoCloseable {
    final CoapServer server;
    final int port;

    LoopbackCoapServer(CoapResource resource) {
        Configuration c = CoapEndpoints.configuration(5000);
        server = new CoapServer(c);
        server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(c)
                .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build());
        server.add(resource);
        server.start();
        port = server.getEndpoints().get(0).getAddress().getPort();
    }

    /** The resource's URI. */
    String uri(String path) { return "coap://127.0.0.1:" + port + "/" + path; }

    @Override public void close() { server.destroy(); }
}
