package io.meterlink.drivers.ert;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * 900 MHz utility radio (Itron ERT SCM, SCM+, IDM, NetIDM; Neptune R900, R900BCD) from an RTL-SDR
 * through {@code rtl_tcp}, demodulated in Java.
 *
 * <pre>
 * driver: ert
 * host: 127.0.0.1            # rtl_tcp server
 * tcp_port: 1234
 * rtl_tcp_command: [rtl_tcp, -a, 127.0.0.1, -p, "1234"]   # optional: run (and restart) rtl_tcp as a child
 * frequency: 912600155       # Hz
 * sample_rate: 2359296       # multiple of 32768 (72 samples per chip)
 * gain: auto                 # auto, or tenths of a dB (e.g. 496)
 * ppm: 0                     # frequency correction
 * protocols: [scm, scm+, idm, r900]   # netidm / r900bcd read those packets the other way
 * stall_timeout: 5s          # no samples (or constant samples) this long = stalled
 * restart_after: 2           # stalls in a row before the rtl_tcp child is restarted
 * dedup_window: 60s
 * multipliers: {electric: 1000, gas: 1, water: 1}   # register unit → Wh / m3
 * meters:
 *   - id: ert:7:12345678     # per-meter multiplier
 *     multiplier: 10
 * </pre>
 * Also offers offline decoding of I/Q recordings ({@code meterlink decode --protocol ert --iq FILE}).
 * Stateless, thread-safe.
 */
public final class ErtDriverFactory implements DriverFactory {
    private static final ErtFrameDecoder DECODER = new ErtFrameDecoder();

    @Override public String type() { return "ert"; }

    @Override public List<KeyGroup> keys() { return List.of(ErtKeys.ERT); }

    @Override public Optional<FrameDecoder> decoder() { return Optional.of(DECODER); }

    @Override
    public DriverSpec configure(Settings s) {
        boolean ok = true;
        String host = s.get(ErtKeys.HOST);
        int port = s.get(ErtKeys.TCP_PORT);
        List<String> command = s.get(ErtKeys.RTL_TCP_COMMAND);
        long frequency = s.get(ErtKeys.FREQUENCY);
        long rate = s.get(ErtKeys.SAMPLE_RATE);
        try {
            ErtDemodulator.chipLength(rate);
        } catch (IllegalArgumentException e) {
            s.error(ErtKeys.SAMPLE_RATE, e.getMessage());
            ok = false;
        }
        String gainText = s.get(ErtKeys.GAIN);
        Integer gain = null;
        if (!gainText.equals("auto")) {
            try {
                gain = Integer.parseInt(gainText.trim());
                if (gain < 0 || gain > 600) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                s.error(ErtKeys.GAIN, "must be auto or tenths of a dB, 0..600");
                ok = false;
            }
        }
        int ppm = s.get(ErtKeys.PPM);
        Set<ErtProtocol> protocols = EnumSet.noneOf(ErtProtocol.class);
        List<String> names = s.get(ErtKeys.PROTOCOLS);
        for (String n : names) {
            try {
                protocols.add(ErtProtocol.byName(n));
            } catch (IllegalArgumentException e) {
                s.error(ErtKeys.PROTOCOLS, e.getMessage());
                ok = false;
            }
        }
        if (protocols.isEmpty() && ok) {
            s.error(ErtKeys.PROTOCOLS, "name at least one protocol");
            ok = false;
        }
        Duration stall = s.get(ErtKeys.STALL_TIMEOUT);
        int restartAfter = s.get(ErtKeys.RESTART_AFTER);
        ErtMappingSettings mapping = ErtMappingSettings.read(s);
        if (mapping == null) ok = false;
        if (!ok) return null;
        ErtDriverConfig config = new ErtDriverConfig(host, port, command, frequency, rate, gain, ppm, protocols, stall, restartAfter, mapping);
        return context -> {
            ErtDriver d = new ErtDriver(config, new RtlTcpTransport(host, port, command), context);
            return new Driver() {
                @Override public void start() { d.start(); }

                @Override public void close() {
                    d.close();
                    d.stopChild();
                }
            };
        };
    }
}
