package io.meterlink.sim.rtl;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.ert.ErtDemodulator;
import io.meterlink.drivers.ert.ErtPacket;
import io.meterlink.drivers.ert.ErtProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code meterlink-sim rtlper}: packet error rate of the Java demodulator against SNR. For each SNR
 * and protocol, sends random packets of random meters through the radio channel (noise, a carrier
 * offset up to 20 kHz, gaps of noise between packets) and counts those not decoded exactly. Prints
 * a Markdown table.
 */
@Command(name = "rtlper", mixinStandardHelpOptions = true,
        description = "Packet error rate of the ERT/R900 demodulator vs signal-to-noise ratio (per sample, full band); prints a Markdown table.")
public final class PacketErrorRateCommand implements Callable<Integer> {
    @Option(names = "--snr", defaultValue = "-12,-9,-6,-3,0,3,6,10,20", split = ",", description = "SNRs in dB (default ${DEFAULT-VALUE})")
    List<Double> snrs;
    @Option(names = "--packets", defaultValue = "200", description = "packets per protocol and SNR (default ${DEFAULT-VALUE})")
    int packets;
    @Option(names = "--chip", defaultValue = "72", description = "samples per chip (default ${DEFAULT-VALUE})")
    int chip;
    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Override
    public Integer call() {
        StringBuilder head = new StringBuilder("| SNR (dB) |");
        StringBuilder rule = new StringBuilder("|---|");
        for (ErtProtocol p : ErtProtocol.values()) {
            head.append(' ').append(p.wireName()).append(" |");
            rule.append("---|");
        }
        System.out.println(head);
        System.out.println(rule);
        for (double snr : snrs) {
            StringBuilder row = new StringBuilder("| ").append(snr).append(" |");
            for (ErtProtocol p : ErtProtocol.values()) {
                int lost = lost(p, snr);
                row.append(String.format(" %.1f %% (%d/%d) |", 100.0 * lost / packets, lost, packets));
            }
            System.out.println(row);
        }
        return 0;
    }

    /** Packets of {@code p} not decoded exactly at {@code snr}. */
    int lost(ErtProtocol p, double snr) {
        Random rnd = new Random(seed * 1000 + p.ordinal());
        RadioChannel ch = new RadioChannel(chip, snr, rnd.nextLong());
        List<String> sent = new ArrayList<>();
        long at = 5L * chip;
        for (int i = 0; i < packets; i++) {
            VirtualRadioMeter m = VirtualRadioMeter.random(p, rnd);
            byte[] chips = ErtModulator.chips(p, m.next(rnd), m.intervals());
            ch.schedule(new RadioChannel.Transmission(at, chips, rnd.nextInt(40_001) - 20_000, null));
            at += ch.duration(chips) + 40L * chip + rnd.nextInt(40 * chip);
            sent.add(m.id() + ":" + m.consumption());
        }
        List<String> heard = new ArrayList<>();
        ErtDemodulator d = new ErtDemodulator(chip, EnumSet.of(p), new ErtDemodulator.Listener() {
            @Override public void packet(ErtPacket packet, long sample) { heard.add(packet.id() + ":" + packet.consumption()); }

            @Override public void refused(ErtProtocol protocol, DecodeException error, long sample) { }
        });
        byte[] buf = new byte[2 * 16384];
        for (long done = 0; done < at + 16384; done += 16384) {
            ch.render(buf, 16384);
            d.feedU8(buf, 0, buf.length);
        }
        d.flush();
        int lost = 0;
        for (String s : sent) if (!heard.remove(s)) lost++;
        return lost;
    }
}
