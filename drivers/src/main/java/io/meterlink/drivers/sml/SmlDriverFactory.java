package io.meterlink.drivers.sml;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.obis.StreamKeys;
import io.meterlink.drivers.obis.StreamSource;
import io.meterlink.drivers.transport.LineKeys;

import java.util.List;
import java.util.Optional;

/**
 * SML meters (eHZ, EDL21 and other German meters) read from their info interface as they push SML
 * files (typically every 1 to 4 s, 9600 8N1 through an optical head), on a serial line or a raw TCP
 * socket. The stream resyncs on the next start escape; a file whose CRC fails gives no reading
 * (counted as checksum).
 *
 * <pre>
 * driver: sml
 * transport: serial        # serial | tcp
 * port: /dev/ttyUSB0       # serial
 * baud: 9600               # default 9600
 * framing: 8N1             # default 8N1
 * host / tcp_port          # tcp
 * time_zone: Europe/Berlin
 * frame_timeout: 3s
 * </pre>
 * The meter is {@code sml:<server id>} as {@code meterlink decode} shows it. Stateless, thread-safe.
 */
public final class SmlDriverFactory implements DriverFactory {
    private static final SmlFrameDecoder DECODER = new SmlFrameDecoder();

    @Override public String type() { return SmlFileDecoder.PROTOCOL; }

    /** The line keys of {@link StreamSource}; 9600 8N1 by default. */
    @Override public List<KeyGroup> keys() {
        return List.of(KeyGroup.of(type(), "", LineKeys.TRANSPORT, LineKeys.PORT, LineKeys.HOST, LineKeys.TCP_PORT,
                StreamKeys.BAUD, StreamKeys.FRAMING, StreamKeys.FRAME_TIMEOUT, LineKeys.TIME_ZONE));
    }

    @Override public Optional<FrameDecoder> decoder() { return Optional.of(DECODER); }

    @Override
    public DriverSpec configure(Settings s) {
        return StreamSource.read(s, DECODER, FrameDecoder.Options.none(), s.get(StreamKeys.BAUD), "8N1", true);
    }
}
