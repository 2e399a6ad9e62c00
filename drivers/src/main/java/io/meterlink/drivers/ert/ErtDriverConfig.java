package io.meterlink.drivers.ert;


import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Validated settings of one {@code driver: ert} source. Immutable.
 *
 * @param host          rtl_tcp server host
 * @param port          rtl_tcp server port
 * @param command       rtl_tcp command the driver runs and restarts (empty: the server is not the driver's)
 * @param frequency     centre frequency in Hz
 * @param sampleRate    samples per second, a multiple of 32,768
 * @param gainTenthsDb  tuner gain in tenths of a dB, or {@code null} for automatic gain
 * @param ppm           frequency correction in ppm
 * @param protocols     the packets to decode
 * @param stallTimeout  no samples (or only constant samples) this long is a stalled stream
 * @param restartAfter  stalls in a row after which the rtl_tcp child is restarted
 * @param mapping       dedup window and multipliers
 */
record ErtDriverConfig(String host, int port, List<String> command, long frequency, long sampleRate, Integer gainTenthsDb,
                              int ppm, Set<ErtProtocol> protocols, Duration stallTimeout, int restartAfter, ErtMappingSettings mapping) {
    public ErtDriverConfig {
        command = List.copyOf(command);
        protocols = Set.copyOf(protocols);
    }
}
