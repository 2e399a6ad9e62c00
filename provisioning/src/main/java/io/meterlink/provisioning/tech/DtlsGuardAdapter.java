package io.meterlink.provisioning.tech;

import org.eclipse.californium.scandium.DatagramFilter;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.Record;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Connects {@link HandshakeGuard} to Scandium: drops every datagram from a locked-out address before
 * DTLS looks at it, and counts a failed handshake once per connection, whether it fails by a bad
 * record MAC during the handshake (a wrong PSK shows up as an undecryptable Finished, RFC 6347
 * §4.2.6) or by an alert or timeout.
 */
final class DtlsGuardAdapter extends SessionAdapter implements DatagramFilter {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsGuardAdapter.class);

    private final HandshakeGuard guard;
    private final Set<Connection> counted = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    DtlsGuardAdapter(HandshakeGuard guard) {
        this.guard = guard;
    }

    @Override public boolean onReceiving(DatagramPacket packet) {
        return guard.admit(packet.getAddress());
    }

    @Override public boolean onReceiving(Record record, Connection connection) {
        return true;
    }

    @Override public boolean onMacError(Record record, Connection connection) {
        if (connection.hasEstablishedDtlsContext()) {
            return false; // noise on an established session: DTLS drops the record (RFC 6347 §4.1.2.7)
        }
        failed(connection, connection.getPeerAddress(), "bad record MAC during the handshake (wrong key?)");
        return true; // abandon the handshake now instead of waiting for its timeout
    }

    @Override public void handshakeFailed(Handshaker handshaker, Throwable error) {
        failed(handshaker.getConnection(), handshaker.getPeerAddress(), error == null ? "unknown" : error.getMessage());
    }

    private void failed(Connection connection, InetSocketAddress peer, String reason) {
        if (peer == null) return;
        if (connection != null && !counted.add(connection)) return;
        InetAddress address = peer.getAddress();
        LOG.info("Technician endpoint: handshake from {} failed: {}", address.getHostAddress(), reason);
        guard.failure(address);
    }
}
