package io.meterlink.drivers.obis;

import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.transport.LineEndpoint;
import io.meterlink.drivers.transport.LineKeys;
import io.meterlink.drivers.transport.SerialTransport;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;

/**
 * The keys every push-meter source ({@code p1}, {@code sml}) shares, read once: {@code transport}
 * (serial | tcp), {@code port} or {@code host}/{@code tcp_port}, {@code framing}
 * ({@code 8N1} or {@code 7E1}), {@code time_zone} and {@code frame_timeout} (a frame still incomplete
 * after this long without a byte is dropped and counted). Problems are recorded in the settings.
 */
public final class StreamSource {
    private StreamSource() {}

    /**
     * @param baud           the line's baud rate (the family reads {@code baud}, its default depends on it)
     * @param defaultFraming {@code 8N1} or {@code 7E1} when {@code framing} is not given
     * @param options        the decoder's session options (keys), already validated
     * @return the driver spec, or {@code null} after recording errors
     */
    public static DriverFactory.DriverSpec read(Settings s, FrameDecoder decoder, FrameDecoder.Options options,
                                                int baud, String defaultFraming, boolean ok) {
        String kind = s.get(LineKeys.TRANSPORT);
        String framing = s.get(StreamKeys.FRAMING, defaultFraming);
        boolean seven = framing.equals("7E1");
        Duration quiet = s.get(StreamKeys.FRAME_TIMEOUT);
        LineEndpoint line = LineEndpoint.read(s, kind, baud, (device, b) -> seven
                ? new SerialTransport(device, b, 7, SerialTransport.Parity.EVEN)
                : new SerialTransport(device, b, 8, SerialTransport.Parity.NONE));
        ok &= line.ok();
        Optional<ZoneId> zone = LineEndpoint.meterZone(s);
        ok &= zone.isPresent();
        if (!ok) return null;
        ObisReadings mapper = new ObisReadings(zone.get());
        return context -> new StreamDriver(decoder, options, mapper, (int) quiet.toMillis(), line.transport().get(), context);
    }
}
