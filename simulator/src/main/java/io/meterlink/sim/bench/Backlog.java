package io.meterlink.sim.bench;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.uplink.JsonPayloads;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A backlog of realistic heat-meter readings written into a new buffer file before the gateway
 * starts (as after a long outage): {@code readings} readings, 7 registers per readout, readouts of
 * {@code meters} meters every 15 minutes from {@code meterTimeBase}. Reading {@code i} (0-based)
 * gets gateway seq {@code i + 1}. Deterministic: {@link #reading(long)} gives the same reading again,
 * so a caller can account for the backlog without holding it. Immutable; thread-safe.
 */
public final class Backlog {
    /** The fields of one heat-meter readout, as the virtual M-Bus heat meter sends them. */
    private static final Quantity[] QUANTITIES = {Quantity.VOLUME, Quantity.ENERGY, Quantity.POWER,
            Quantity.FLOW_TEMPERATURE, Quantity.RETURN_TEMPERATURE, Quantity.TEMPERATURE_DIFFERENCE, Quantity.VOLUME_FLOW};
    private static final Unit[] UNITS = {Unit.M3, Unit.WH, Unit.W, Unit.CELSIUS, Unit.CELSIUS, Unit.KELVIN, Unit.M3_PER_H};
    private static final int CHUNK = 10_000;

    private final String gatewayId;
    private final long readings;
    private final int meters;
    private final int meterIdBase;
    private final Instant meterTimeBase;
    private final Instant received;

    /**
     * @param meterIdBase   meter ids are {@code mbus:KAM:<meterIdBase + meter>} (8 digits): keep them apart from live meters
     * @param meterTimeBase meter time of the first readout round
     * @param received      the gateway receive time stamped on every backlog reading
     */
    public Backlog(String gatewayId, long readings, int meters, int meterIdBase, Instant meterTimeBase, Instant received) {
        if (readings < 1 || readings > Integer.MAX_VALUE - 1) throw new IllegalArgumentException("readings 1.." + (Integer.MAX_VALUE - 1));
        if (meters < 1) throw new IllegalArgumentException("meters >= 1");
        if (meterIdBase < 0 || meterIdBase + (long) meters > 99_999_999L) throw new IllegalArgumentException("meter ids must fit 8 digits");
        this.gatewayId = gatewayId;
        this.readings = readings;
        this.meters = meters;
        this.meterIdBase = meterIdBase;
        this.meterTimeBase = meterTimeBase;
        this.received = received;
    }

    public long readings() { return readings; }

    /**
     * Writes every reading into {@code db}, which must be a new buffer, through the real buffer and
     * encoder ({@code synchronous=NORMAL}: a fixture, not the gateway).
     */
    public void writeTo(Path db) throws Exception {
        writeTo(db, new JsonPayloads(gatewayId));
    }

    /** As {@link #writeTo(Path)}, stored by {@code encoder} (the gateway's for its payload format). */
    public void writeTo(Path db, ReadingEncoder encoder) throws Exception {
        BufferConfig cfg = new BufferConfig(db, 4L << 30, 1, Duration.ofMillis(200), 10_000, false, 50_000);
        try (SqliteBuffer buffer = SqliteBuffer.open(cfg, encoder, Clock.systemUTC())) {
            if (buffer.highestCommittedSeq() != 0) throw new IllegalStateException(db + " is not a new buffer");
            List<CompletableFuture<long[]>> pending = new ArrayList<>();
            for (long from = 0; from < readings; from += CHUNK) {
                int n = (int) Math.min(CHUNK, readings - from);
                List<Reading> batch = new ArrayList<>(n);
                for (long i = from; i < from + n; i++) batch.add(reading(i));
                pending.add(buffer.append(batch));
                if (pending.size() >= 20) {
                    pending.remove(0).join();
                }
            }
            for (CompletableFuture<long[]> f : pending) f.join();
        }
    }

    /** The {@code i}-th reading (seq {@code i + 1}): readout {@code i / 7} of meter {@code readout % meters}, every 15 minutes. */
    public Reading reading(long i) {
        long readout = i / QUANTITIES.length;
        int field = (int) (i % QUANTITIES.length);
        int meter = (int) (readout % meters);
        long round = readout / meters;
        MeterId id = MeterId.of("mbus", "KAM", String.format("%08d", meterIdBase + meter));
        Instant meterTime = meterTimeBase.plus(Duration.ofMinutes(15 * round));
        long litres = 1_000_000L + meter * 37L + round * 125;
        BigDecimal value = switch (field) {
            case 0 -> BigDecimal.valueOf(litres, 3);
            case 1 -> BigDecimal.valueOf(litres * 23);
            case 2 -> BigDecimal.valueOf(4_000 + (meter + round) % 900);
            case 3 -> BigDecimal.valueOf(550 + (round % 50), 1);
            case 4 -> BigDecimal.valueOf(350 + (round % 30), 1);
            case 5 -> BigDecimal.valueOf(200 + (round % 20), 1);
            default -> BigDecimal.valueOf(120 + (meter % 40), 3);
        };
        return Reading.of(id, QUANTITIES[field], UNITS[field], value.stripTrailingZeros(), meterTime, received);
    }
}
