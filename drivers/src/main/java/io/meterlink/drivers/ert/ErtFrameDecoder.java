package io.meterlink.drivers.ert;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;
import io.meterlink.core.api.driver.FrameDecoder;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Offline decoding of 900 MHz utility radio (ERT SCM, SCM+, IDM, NetIDM, Neptune R900/R900BCD) from
 * recorded I/Q samples for {@code meterlink decode --iq FILE}: one frame per checked packet, and one
 * error per packet whose preamble was clear but whose checks failed. Parameters: {@link #SAMPLE_RATE}
 * (default 2,359,296 = 72 samples per chip), {@link #SAMPLE_FORMAT} ({@code cu8} default, {@code cs16}),
 * {@code protocols} (comma list; default every protocol, where IDM is read as IDM and R900 as R900;
 * name {@code netidm} or {@code r900bcd} instead to read those packets that way).
 */
public final class ErtFrameDecoder implements FrameDecoder {
    public static final long DEFAULT_SAMPLE_RATE = 2_359_296;
    public static final String PROTOCOLS = "protocols";

    @Override public String protocol() { return "ert"; }

    @Override public Input input() { return Input.IQ; }

    @Override public int detect(byte[] sample) { return 0; }

    @Override public Session open(Options options) { return open(options, Map.of()); }

    /** @throws IllegalArgumentException for a bad sample rate, format or protocol list */
    @Override
    public Session open(Options options, Map<String, String> parameters) {
        long rate;
        try {
            rate = Long.parseLong(parameters.getOrDefault(SAMPLE_RATE, Long.toString(DEFAULT_SAMPLE_RATE)).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sample rate '" + parameters.get(SAMPLE_RATE) + "' is not a whole number of samples per second");
        }
        int chip = ErtDemodulator.chipLength(rate);
        String format = parameters.getOrDefault(SAMPLE_FORMAT, "cu8").toLowerCase(Locale.ROOT);
        if (!format.equals("cu8") && !format.equals("cs16")) throw new IllegalArgumentException("sample format '" + format + "': cu8 or cs16");
        Set<ErtProtocol> protocols = protocols(parameters.get(PROTOCOLS));
        return new IqSession(chip, format.equals("cu8") ? 2 : 4, protocols);
    }

    /** A comma list of protocol names, or every protocol for {@code null}. */
    public static Set<ErtProtocol> protocols(String list) {
        if (list == null || list.isBlank()) return EnumSet.allOf(ErtProtocol.class);
        Set<ErtProtocol> out = EnumSet.noneOf(ErtProtocol.class);
        for (String s : list.split(",")) out.add(ErtProtocol.byName(s));
        return out;
    }

    private static final class IqSession implements Session, ErtDemodulator.Listener {
        private final ErtDemodulator demod;
        private final int bytesPerSample;
        private Sink sink;
        private long bytes;

        IqSession(int chip, int bytesPerSample, Set<ErtProtocol> protocols) {
            this.demod = new ErtDemodulator(chip, protocols, this);
            this.bytesPerSample = bytesPerSample;
        }

        @Override
        public void feed(byte[] b, int offset, int length, Sink sink) {
            this.sink = sink;
            bytes += length;
            if (bytesPerSample == 2) demod.feedU8(b, offset, length);
            else demod.feedCs16(b, offset, length);
        }

        @Override
        public void end(Sink sink) {
            this.sink = sink;
            demod.flush();
            if (bytes % bytesPerSample != 0) {
                sink.error(new DecodeException(DecodeException.Kind.TRUNCATED, "the input ends inside a sample (" + bytes % bytesPerSample
                        + " of " + bytesPerSample + " bytes)"), bytes - bytes % bytesPerSample);
            }
        }

        @Override public void packet(ErtPacket p, long sample) { sink.frame(frame(p), sample * bytesPerSample); }

        @Override public void refused(ErtProtocol protocol, DecodeException e, long sample) { sink.error(e, sample * bytesPerSample); }
    }

    /** The neutral frame of a packet: protocol, id, type, commodity, consumption, checksum, raw fields; IDM intervals as records. */
    public static DecodedFrame frame(ErtPacket p) {
        List<Fact> h = new ArrayList<>();
        h.add(new Fact("protocol", p.protocol().wireName()));
        h.add(new Fact("id", p.id()));
        h.add(new Fact("type", p.ertType()));
        h.add(new Fact("commodity", ErtTypes.commodity(p.protocol(), p.ertType()).wireName()));
        h.add(new Fact("consumption", p.consumption()));
        h.add(new Fact("checksum", "ok"));
        h.add(new Fact("checksum_value", p.checksum()));
        if (p.protocol().isR900()) h.add(new Fact("corrected_symbols", p.corrected()));
        for (Map.Entry<String, Long> f : p.fields().entrySet()) {
            boolean bytes48 = f.getKey().equals("tamper_counters") || f.getKey().equals("power_outage_flags");
            h.add(new Fact(f.getKey(), bytes48 ? String.format("%012X", f.getValue()) : f.getValue()));
        }
        List<DecodedRecord> records = null;
        int[] iv = p.intervals();
        if (iv.length > 0) {
            records = new ArrayList<>();
            for (int i = 0; i < iv.length; i++) {
                records.add(new DecodedRecord.Builder().put(DecodedRecord.QUANTITY, "consumption_difference")
                        .put("interval", i).put(DecodedRecord.VALUE, BigDecimal.valueOf(iv[i])).build());
            }
        }
        return new DecodedFrame("ert", h, records, List.of());
    }
}
