package io.meterlink.sim.mbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.MbusMedium;
import io.meterlink.sim.model.ConstantFlow;
import io.meterlink.sim.model.MeterModel;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A virtual wired M-Bus meter (water or heat) at a primary address. Its volume register only rises
 * with the simulator's clock; its meter time is that clock (type F: minutes). It answers SND_NKE with
 * E5 and REQ_UD2 with one or more RSP_UD telegrams (EN 13757-2 §5.5: a repeated FCB repeats the
 * last telegram, a toggled FCB moves on), and records every telegram it generated in its ledger.
 * Thread-safe (answers are serialised).
 */
public final class VirtualMbusSlave {
    /** What sort of meter it models. */
    public enum Kind { WATER, HEAT }

    private static final BigDecimal KWH_PER_M3_K = new BigDecimal("1.163");

    private final int address;
    private final String id;
    private final String manufacturer;
    private final Kind kind;
    private final Clock clock;
    private final ZoneId zone;
    private final int telegramsPerReadout;
    private final MeterModel model;
    private final MeterId meterId;
    private final List<LedgerEntry> ledger = new CopyOnWriteArrayList<>();
    private volatile boolean silent;

    private int accessNumber;
    private List<byte[]> telegrams;
    private int index;
    private Boolean lastFcb;

    /**
     * @param id                  8 digits
     * @param telegramsPerReadout 1, or 2 to exercise multi-telegram readout (DIF 1F)
     * @param zone                the zone the meter's clock shows
     */
    public VirtualMbusSlave(int address, String id, String manufacturer, Kind kind, Clock clock, ZoneId zone,
                            long startLitres, long flowLitresPerHour, int telegramsPerReadout) {
        this(address, id, manufacturer, kind, clock, zone, new ConstantFlow(clock.instant(), startLitres, flowLitresPerHour),
                telegramsPerReadout);
    }

    /**
     * A slave driven by a behaviour model: its volume and flow registers, its meter time, and
     * whether it answers at all come from {@code model} at the simulator clock's instant.
     *
     * @param id                  8 digits
     * @param telegramsPerReadout 1, or 2 to exercise multi-telegram readout (DIF 1F)
     * @param zone                the zone the meter's clock shows
     */
    public VirtualMbusSlave(int address, String id, String manufacturer, Kind kind, Clock clock, ZoneId zone,
                            MeterModel model, int telegramsPerReadout) {
        if (address < 0 || address > 250) throw new IllegalArgumentException("primary address 0..250");
        if (telegramsPerReadout < 1 || telegramsPerReadout > 2) throw new IllegalArgumentException("1 or 2 telegrams");
        this.address = address;
        this.id = id;
        this.manufacturer = manufacturer;
        this.kind = kind;
        this.clock = clock;
        this.zone = zone;
        this.telegramsPerReadout = telegramsPerReadout;
        this.model = java.util.Objects.requireNonNull(model, "model");
        this.meterId = MeterId.of("mbus", manufacturer, id);
    }

    public int address() { return address; }

    public MeterId meterId() { return meterId; }

    /** Version byte of its header. */
    public int version() { return 1; }

    /** Medium byte of its header (EN 13757-3 Table 3). */
    public int medium() { return kind == Kind.HEAT ? MbusMedium.HEAT_OUTLET : MbusMedium.WATER; }

    /**
     * True when the 8 bytes of a selection telegram (CI 52: id BCD LSB first, manufacturer, version,
     * medium; F nibbles / FF bytes are wildcards, EN 13757-3 §11) fit this slave.
     */
    public boolean matchesSelection(byte[] mask) {
        if (mask.length < 8) return false;
        for (int i = 0; i < 4; i++) {
            int b = mask[i] & 0xFF;
            String two = id.substring(6 - 2 * i, 8 - 2 * i);
            if ((b >> 4) != 0x0F && (b >> 4) != two.charAt(0) - '0') return false;
            if ((b & 0x0F) != 0x0F && (b & 0x0F) != two.charAt(1) - '0') return false;
        }
        int man = (mask[4] & 0xFF) | (mask[5] & 0xFF) << 8;
        int own = (manufacturer.charAt(0) - 64) << 10 | (manufacturer.charAt(1) - 64) << 5 | (manufacturer.charAt(2) - 64);
        if (man != 0xFFFF && man != own) return false;
        if ((mask[6] & 0xFF) != 0xFF && (mask[6] & 0xFF) != version()) return false;
        return (mask[7] & 0xFF) == 0xFF || (mask[7] & 0xFF) == medium();
    }

    /**
     * A silent slave never answers (a broken or disconnected meter). Synchronized with {@link #answer}: once
     * this returns, an answer being built has been recorded and no further one is, so the ledger is final.
     */
    public synchronized void setSilent(boolean silent) { this.silent = silent; }

    public boolean isSilent() { return silent; }

    /** True when the slave would answer now: not set silent and its model answers at the clock's instant. */
    public boolean answersNow() { return !silent && model.answers(clock.instant()); }

    /** The behaviour model driving this slave. */
    public MeterModel model() { return model; }

    /** Every telegram generated so far, oldest first. */
    public List<LedgerEntry> ledger() { return List.copyOf(ledger); }

    /** Resets the link layer state (FCB), as a selection by secondary address does. */
    public synchronized void resetLink() {
        telegrams = null;
        lastFcb = null;
        index = 0;
    }

    /**
     * The answer to a request addressed to this slave, or {@code null} for none (silent, or a
     * request it does not answer).
     */
    public synchronized byte[] answer(MbusFrame.Short request) {
        if (!answersNow()) return null;
        int c = request.control();
        if (c == 0x40) { // SND_NKE (EN 13757-2 §5.3): reset the link layer
            telegrams = null;
            lastFcb = null;
            index = 0;
            return new MbusFrame.Ack().toBytes();
        }
        if ((c & 0xDF) == 0x5B || (c & 0xDF) == 0x4B) { // REQ_UD2, with or without FCV
            boolean fcv = (c & 0x10) != 0;
            boolean fcb = (c & 0x20) != 0;
            boolean repeat = fcv && telegrams != null && lastFcb != null && lastFcb == fcb;
            if (!repeat) {
                if (telegrams == null || index + 1 >= telegrams.size()) {
                    generate();
                    index = 0;
                } else {
                    index++;
                }
            }
            lastFcb = fcv ? fcb : null;
            return telegrams.get(index).clone();
        }
        return null;
    }

    /** Builds the telegrams of one readout from the model at the current clock and records them. */
    private void generate() {
        Instant now = clock.instant();
        MeterModel.Registers reg = model.at(now);
        LocalDateTime local = LocalDateTime.ofInstant(reg.meterTime(), zone).truncatedTo(ChronoUnit.MINUTES);
        Instant meterTime = local.atZone(zone).toInstant();
        long litres = reg.volumeLitres();                                        // rises unless the model says otherwise
        long flowLh = reg.flowLitresPerHour() + (model instanceof ConstantFlow ? (now.getEpochSecond() / 60) % 7 : 0); // l/h
        int flowTemp = 550 + (int) (now.getEpochSecond() / 60 % 50);             // 0.1 °C
        int returnTemp = 350 + (int) (now.getEpochSecond() / 60 % 30);           // 0.1 °C
        accessNumber = (accessNumber + 1) & 0xFF;

        List<Part> parts = new ArrayList<>();
        parts.add(new Part(b -> b.bcd8(0x13, litres), Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(litres, 3)));
        if (kind == Kind.HEAT) {
            // energy follows the volume so it only rises too: kWh = litres/1000 × 20 K × 1.163
            long kwh = BigDecimal.valueOf(litres, 3).multiply(BigDecimal.valueOf(20)).multiply(KWH_PER_M3_K).longValue();
            int dt = flowTemp - returnTemp;
            long watts = BigDecimal.valueOf(flowLh, 3).multiply(BigDecimal.valueOf(dt, 1)).multiply(KWH_PER_M3_K)
                    .multiply(BigDecimal.valueOf(1000)).longValue();
            parts.add(new Part(b -> b.int32(0x06, kwh), Quantity.ENERGY, Unit.WH, BigDecimal.valueOf(kwh * 1000)));
            parts.add(new Part(b -> b.int32(0x2B, watts), Quantity.POWER, Unit.W, BigDecimal.valueOf(watts)));
            parts.add(new Part(b -> b.int16(0x5A, flowTemp), Quantity.FLOW_TEMPERATURE, Unit.CELSIUS, BigDecimal.valueOf(flowTemp, 1)));
            parts.add(new Part(b -> b.int16(0x5E, returnTemp), Quantity.RETURN_TEMPERATURE, Unit.CELSIUS, BigDecimal.valueOf(returnTemp, 1)));
            parts.add(new Part(b -> b.int16(0x61, dt * 10L), Quantity.TEMPERATURE_DIFFERENCE, Unit.KELVIN, BigDecimal.valueOf(dt * 10L, 2)));
        } else {
            int water = 100 + (int) (now.getEpochSecond() / 60 % 40); // 0.1 °C
            parts.add(new Part(b -> b.int16(0x66, water), Quantity.EXTERNAL_TEMPERATURE, Unit.CELSIUS, BigDecimal.valueOf(water, 1)));
        }
        parts.add(new Part(b -> b.int32(0x3B, flowLh), Quantity.VOLUME_FLOW, Unit.M3_PER_H, BigDecimal.valueOf(flowLh, 3)));

        int medium = medium();
        int split = telegramsPerReadout == 1 ? parts.size() : (parts.size() + 1) / 2;
        List<byte[]> out = new ArrayList<>();
        for (int t = 0; t < telegramsPerReadout; t++) {
            RspUdBuilder b = new RspUdBuilder(address, id, manufacturer, version(), medium, accessNumber, 0);
            if (t == 0) b.dateTimeF(local); // later telegrams carry no time: the first one's applies
            List<Reading> readings = new ArrayList<>();
            for (Part p : parts.subList(t == 0 ? 0 : split, t == 0 ? split : parts.size())) {
                p.encoder.accept(b);
                readings.add(new Reading(meterId, p.quantity, p.unit, p.value.stripTrailingZeros(), MeasurementFunction.INSTANTANEOUS,
                        0, 0, 0, meterTime, now, 0, null));
            }
            if (t + 1 < telegramsPerReadout) b.moreRecordsFollow();
            byte[] frame = b.build();
            out.add(frame);
            ledger.add(new LedgerEntry(address, now, t, readings, frame));
        }
        telegrams = out;
    }

    private record Part(java.util.function.Consumer<RspUdBuilder> encoder, Quantity quantity, Unit unit, BigDecimal value) {}
}
