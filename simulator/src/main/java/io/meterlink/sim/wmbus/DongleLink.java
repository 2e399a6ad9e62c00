package io.meterlink.sim.wmbus;

import java.io.IOException;
import java.util.List;

/** The line between a virtual dongle and the gateway (a pseudo-terminal, a TCP socket). Thread-safe. */
public interface DongleLink {
    /** Sends bytes to the gateway; may drop them when no gateway is connected (as a radio keeps sending). */
    void send(byte[] bytes) throws IOException;

    /** Everything the gateway wrote to the dongle so far (its setup commands), one entry per read. */
    List<byte[]> fromHost();
}
