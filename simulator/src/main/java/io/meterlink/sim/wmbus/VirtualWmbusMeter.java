package io.meterlink.sim.wmbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.sim.wmbus.WmbusFrameBuilder.Security;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A virtual wireless M-Bus meter (water or heat) that sends SND_NR telegrams (EN 13757-4) in
 * clear or encrypted with its own key (security mode 5, or mode 7 with an AFL MAC). Its volume
 * register only rises with the simulator's clock; its meter time is that clock (type F, minutes).
 * Every valid telegram it generates is recorded in its ledger; deliberately bad ones are not.
 * Thread-safe (telegrams are generated one at a time).
 */
public final class VirtualWmbusMeter {
    /** What sort of meter it models. */
    public enum Kind { WATER, HEAT }

    private static final BigDecimal KWH_PER_M3_K = new BigDecimal("1.163");
    private static final int MEDIUM_WATER = 0x07;   // EN 13757-7 Table 12
    private static final int MEDIUM_HEAT = 0x04;

    private final String id;
    private final String manufacturer;
    private final Kind kind;
    private final Security security;
    private final byte[] key;
    private final Clock clock;
    private final ZoneId zone;
    private final long startLitres;
    private final long flowLitresPerHour;
    private final int rssiDbm;
    private final Instant start;
    private final MeterId meterId;
    private final List<WmbusLedgerEntry> ledger = new CopyOnWriteArrayList<>();
    private int accessNumber;
    private long messageCounter;

    /**
     * @param id        8 digits
     * @param key       the meter's AES-128 key (mode 5; mode 7 master key), {@code null} for {@link Security#NONE}
     * @param zone      the zone the meter's clock shows
     * @param rssiDbm   the signal strength it is heard with
     */
    public VirtualWmbusMeter(String id, String manufacturer, Kind kind, Security security, byte[] key, Clock clock, ZoneId zone,
                             long startLitres, long flowLitresPerHour, int rssiDbm) {
        if ((security == Security.NONE) != (key == null)) throw new IllegalArgumentException("a key exactly when encrypted");
        if (key != null && key.length != 16) throw new IllegalArgumentException("AES-128 key of 16 bytes");
        this.id = id;
        this.manufacturer = manufacturer;
        this.kind = kind;
        this.security = security;
        this.key = key == null ? null : key.clone();
        this.clock = clock;
        this.zone = zone;
        this.startLitres = startLitres;
        this.flowLitresPerHour = flowLitresPerHour;
        this.rssiDbm = rssiDbm;
        this.start = clock.instant();
        this.meterId = MeterId.of("wmbus", manufacturer, id);
        this.accessNumber = Math.floorMod(id.hashCode(), 256);
        this.messageCounter = 1000 + Math.floorMod(id.hashCode(), 1000);
    }

    public MeterId meterId() { return meterId; }

    public String id() { return id; }

    public String manufacturer() { return manufacturer; }

    public Security security() { return security; }

    public int rssiDbm() { return rssiDbm; }

    /** Every valid telegram generated so far, oldest first. */
    public List<WmbusLedgerEntry> ledger() { return List.copyOf(ledger); }

    /**
     * Generates the next telegram from the model at the current clock and records it.
     *
     * @param reportedRssi the RSSI the receiving dongle will report for it, {@code null} for none
     * @return the frame without CRCs
     */
    public synchronized byte[] nextTelegram(Integer reportedRssi) {
        Telegram t = generate(key, reportedRssi);
        ledger.add(new WmbusLedgerEntry(meterId, t.at, t.access, t.readings, t.frame));
        return t.frame;
    }

    /** A telegram like {@link #nextTelegram} but encrypted with {@code wrongKey}; not in the ledger. */
    public synchronized byte[] telegramWithKey(byte[] wrongKey) {
        if (security == Security.NONE) throw new IllegalStateException("meter " + id + " sends in clear");
        return generate(wrongKey, null).frame;
    }

    /** A valid telegram that is not recorded in the ledger (to be damaged on its way). */
    public synchronized byte[] unrecordedTelegram() {
        return generate(key, null).frame;
    }

    private Telegram generate(byte[] withKey, Integer reportedRssi) {
        Instant now = clock.instant();
        LocalDateTime local = LocalDateTime.ofInstant(now, zone).truncatedTo(ChronoUnit.MINUTES);
        Instant meterTime = local.atZone(zone).toInstant();
        long elapsedMs = Math.max(0, Duration.between(start, now).toMillis());
        long litres = startLitres + flowLitresPerHour * elapsedMs / 3_600_000L; // only rises
        long minute = now.getEpochSecond() / 60;
        long flowLh = flowLitresPerHour + minute % 7;
        accessNumber = (accessNumber + 1) & 0xFF;
        messageCounter++;

        AplWriter w = new AplWriter();
        w.dateTimeF(local);
        List<Part> parts = new ArrayList<>();
        parts.add(new Part(a -> a.bcd8(0, 0x13, litres), Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(litres, 3), 0));
        if (kind == Kind.HEAT) {
            int flowTemp = 550 + (int) (minute % 50);   // 0.1 °C
            int returnTemp = 350 + (int) (minute % 30); // 0.1 °C
            int dt = flowTemp - returnTemp;
            long kwh = BigDecimal.valueOf(litres, 3).multiply(BigDecimal.valueOf(20)).multiply(KWH_PER_M3_K).longValue();
            long watts = BigDecimal.valueOf(flowLh, 3).multiply(BigDecimal.valueOf(dt, 1)).multiply(KWH_PER_M3_K)
                    .multiply(BigDecimal.valueOf(1000)).longValue();
            parts.add(new Part(a -> a.int32(0x06, kwh), Quantity.ENERGY, Unit.WH, BigDecimal.valueOf(kwh * 1000), 0));
            parts.add(new Part(a -> a.int32(0x2B, watts), Quantity.POWER, Unit.W, BigDecimal.valueOf(watts), 0));
            parts.add(new Part(a -> a.int16(0x5A, flowTemp), Quantity.FLOW_TEMPERATURE, Unit.CELSIUS, BigDecimal.valueOf(flowTemp, 1), 0));
            parts.add(new Part(a -> a.int16(0x5E, returnTemp), Quantity.RETURN_TEMPERATURE, Unit.CELSIUS, BigDecimal.valueOf(returnTemp, 1), 0));
            parts.add(new Part(a -> a.int16(0x61, dt * 10L), Quantity.TEMPERATURE_DIFFERENCE, Unit.KELVIN, BigDecimal.valueOf(dt * 10L, 2), 0));
        } else {
            // the register at the last due date (storage 1), as OMS water meters send it
            parts.add(new Part(a -> a.dueDateG(local.withDayOfMonth(1)).bcd8(1, 0x13, startLitres), Quantity.VOLUME, Unit.M3,
                    BigDecimal.valueOf(startLitres, 3), 1));
            int water = 100 + (int) (minute % 40); // 0.1 °C
            parts.add(new Part(a -> a.int16(0x66, water), Quantity.EXTERNAL_TEMPERATURE, Unit.CELSIUS, BigDecimal.valueOf(water, 1), 0));
        }
        parts.add(new Part(a -> a.int32(0x3B, flowLh), Quantity.VOLUME_FLOW, Unit.M3_PER_H, BigDecimal.valueOf(flowLh, 3), 0));

        List<Reading> readings = new ArrayList<>();
        for (Part p : parts) {
            p.encoder.accept(w);
            readings.add(new Reading(meterId, p.quantity, p.unit, p.value.stripTrailingZeros(), MeasurementFunction.INSTANTANEOUS,
                    p.storage, 0, 0, meterTime, now, 0, reportedRssi));
        }
        WmbusFrameBuilder b = new WmbusFrameBuilder(WmbusFrameBuilder.C_SND_NR, manufacturer, id, 0x01,
                kind == Kind.HEAT ? MEDIUM_HEAT : MEDIUM_WATER).tpl(accessNumber, 0).records(w.bytes());
        switch (security) {
            case MODE5 -> b.mode5(withKey);
            case MODE7 -> b.ell(0x20).mode7(withKey, 0x25, messageCounter, 0x10);
            case MODE10 -> b.mode10(withKey, messageCounter, 8);
            case NONE -> { }
        }
        return new Telegram(now, accessNumber, readings, b.build());
    }

    private record Part(Consumer<AplWriter> encoder, Quantity quantity, Unit unit, BigDecimal value, int storage) {}

    private record Telegram(Instant at, int access, List<Reading> readings, byte[] frame) {}
}
