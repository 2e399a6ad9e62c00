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
 * @param address   the TCP line's host and port, {@code null} for a serial line (for a driver that opens
 *                  its own socket, e.g. Modbus TCP)
 * @param transport opens a new transport for the line
 * @param ok        false when a required key was missing or invalid
 */
public record LineEndpoint(boolean tcp, String endpoint, TcpAddress address, Supplier<Transport> transport, boolean ok) {
    /** A TCP line's peer, as read from {@link LineKeys#HOST} and {@link LineKeys#TCP_PORT}. */
    public record TcpAddress(String host, int port) {
        @Override public String toString() { return host + ":" + port; }
    }

    private static final int TCP_CONNECT_TIMEOUT_MS = 5_000;

    /** A serial transport for a device at a baud rate (the driver picks framing and parity). */
    @FunctionalInterface
    public interface SerialFactory {
        Transport open(String device, int baud);
    }

    /** The line of {@code kind} ({@code serial} or {@code tcp}, as read from {@link LineKeys#TRANSPORT}). */
    public static LineEndpoint read(Settings s, String kind, int baud, SerialFactory serial) {
        if ("tcp".equals(kind)) {
            String host = s.get(LineKeys.HOST);
            Integer port = s.get(LineKeys.TCP_PORT);
            boolean ok = true;
            if (host == null || host.isBlank()) {
                s.error(LineKeys.HOST, host == null ? "required key is missing" : "must not be empty");
                ok = false;
            }
            if (port == null) {
                s.error(LineKeys.TCP_PORT, "required for transport tcp");
                ok = false;
            }
            TcpAddress address = new TcpAddress(host, port == null ? 0 : port);
            return new LineEndpoint(true, "tcp:" + address, address,
                    () -> new TcpTransport(address.host(), address.port(), TCP_CONNECT_TIMEOUT_MS), ok);
        }
        String device = s.get(LineKeys.PORT);
        boolean ok = device != null && !device.isBlank();
        if (!ok) s.error(LineKeys.PORT, device == null ? "required key is missing" : "must not be empty");
        return new LineEndpoint(false, "serial:" + device + "@" + baud, null, () -> serial.open(device, baud), ok);
    }

    /**
     * The zone of the clocks of the meters on this line ({@code time_zone}, default UTC), in which
     * their date/time records are read; empty after recording an unknown zone in the settings.
     */
    public static Optional<ZoneId> meterZone(Settings s) {
        String zoneName = s.get(LineKeys.TIME_ZONE);
        try {
            return Optional.of(ZoneId.of(zoneName));
        } catch (DateTimeException e) {
            s.error(LineKeys.TIME_ZONE, "unknown time zone '" + zoneName + "'");
            return Optional.empty();
        }
    }
}
