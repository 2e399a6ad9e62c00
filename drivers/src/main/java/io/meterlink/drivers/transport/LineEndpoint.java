package io.meterlink.drivers.transport;

import io.meterlink.core.api.config.Settings;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a driver's line is, read the same way for every driver: {@code transport: tcp} with
 * {@code host}/{@code tcp_port}, or a serial {@code port}. Problems are recorded in the settings.
 *
 * @param tcp       a TCP line (an Ethernet converter), else a serial port
 * @param endpoint  {@code tcp:host:port} or {@code serial:device@baud}, for logs and status
 * @param transport opens a new transport for the line
 * @param ok        false when a required key was missing or invalid
 */
public record LineEndpoint(boolean tcp, String endpoint, Supplier<Transport> transport, boolean ok) {
    private static final int TCP_CONNECT_TIMEOUT_MS = 5_000;

    /** A serial transport for a device at a baud rate (the driver picks framing and parity). */
    @FunctionalInterface
    public interface SerialFactory {
        Transport open(String device, int baud);
    }

    public static LineEndpoint read(Settings s, String kind, int baud, SerialFactory serial) {
        if ("tcp".equals(kind)) {
            String host = s.requiredString("host");
            int port = s.integer("tcp_port", 0, 1, 65535);
            boolean ok = true;
            if (!s.has("tcp_port")) {
                s.error("tcp_port", "required for transport tcp");
                ok = false;
            }
            if (host == null || host.isBlank() || port < 1) ok = false;
            return new LineEndpoint(true, "tcp:" + host + ":" + port,
                    () -> new TcpTransport(host, port, TCP_CONNECT_TIMEOUT_MS), ok);
        }
        String device = s.requiredString("port");
        boolean ok = device != null && !device.isBlank();
        return new LineEndpoint(false, "serial:" + device + "@" + baud, () -> serial.open(device, baud), ok);
    }

    /**
     * The zone of the clocks of the meters on this line ({@code time_zone}, default UTC), in which
     * their date/time records are read; empty after recording an unknown zone in the settings.
     */
    public static Optional<ZoneId> meterZone(Settings s) {
        String zoneName = s.string("time_zone", "UTC");
        try {
            return Optional.of(ZoneId.of(zoneName));
        } catch (DateTimeException e) {
            s.error("time_zone", "unknown time zone '" + zoneName + "'");
            return Optional.empty();
        }
    }
}
