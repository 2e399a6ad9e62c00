package io.meterlink.provisioning.tech;

import com.pi4j.context.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * Wires the technician endpoint with its opening signals for {@code meterlink run}: the endpoint
 * (closed), the local trigger watcher on the state directory, and optionally the service button.
 * Thread-safe; {@link #close} stops everything and unbinds the socket.
 */
public final class TechnicianAccess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TechnicianAccess.class);
    /** Owner a local trigger must have on a gateway: root. */
    public static final int ROOT_UID = 0;

    private final TechnicianEndpoint endpoint;
    private final AutoCloseable watcher;
    private ServiceButton button;

    private TechnicianAccess(TechnicianEndpoint endpoint, AutoCloseable watcher) {
        this.endpoint = endpoint;
        this.watcher = watcher;
    }

    /** A closed endpoint that opens on {@code meterlink provision open} (trigger owned by {@code triggerUid}). */
    public static TechnicianAccess start(TechEndpointConfig config, TechnicianPsk psk, TechServices services,
                                         Path stateDir, int triggerUid, Clock clock) {
        TechnicianEndpoint endpoint = new TechnicianEndpoint(config, psk, services, clock);
        LocalOpenSignal signal = new LocalOpenSignal(Objects.requireNonNull(stateDir, "stateDir"), triggerUid, clock);
        AutoCloseable watcher = signal.watch(() -> endpoint.open("provision open"));
        LOG.info("Technician endpoint closed; opens on the service button or 'meterlink provision open'");
        return new TechnicianAccess(endpoint, watcher);
    }

    /** Also opens the endpoint when the service button on BCM pin {@code bcmPin} is pressed. */
    public synchronized TechnicianAccess withButton(Context pi4j, int bcmPin, boolean activeLow) {
        if (button != null) button.close();
        button = ServiceButton.attach(pi4j, bcmPin, activeLow, () -> endpoint.open("service button"));
        return this;
    }

    public TechnicianEndpoint endpoint() { return endpoint; }

    @Override public synchronized void close() {
        if (button != null) button.close();
        try {
            watcher.close();
        } catch (Exception e) {
            LOG.warn("Stopping the technician trigger watcher failed", e);
        }
        endpoint.close();
    }
}
