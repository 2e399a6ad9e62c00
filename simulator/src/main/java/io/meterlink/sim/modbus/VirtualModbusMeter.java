package io.meterlink.sim.modbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.modbus.DataType;
import io.meterlink.drivers.modbus.MeterProfile;
import io.meterlink.drivers.modbus.RegisterValue;
import io.meterlink.sim.electricity.ElectricityLedgerEntry;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Modbus slave serving a shipped (or any) {@link MeterProfile}: every value of the profile has a
 * register content that moves over time (energy registers count up, the others wander around a
 * nominal value), unmapped registers inside a request read 0, a request that touches no value of
 * the map gets exception 02. Faults on demand: every {@code faultEvery}-th request gets the next of
 * {@code faults} instead of its answer. Each clean answer is written to the ledger with the readings
 * a correct gateway makes of it. Thread-safe.
 */
public final class VirtualModbusMeter {
    /** What a request can get instead of its answer. */
    public enum Fault { CRC, TIMEOUT, EXCEPTION, GARBAGE, WRONG_SLAVE, SHORT }

    /** The answer to one request: the PDU to send (function code + data), or a fault to act out. */
    public record Answer(byte[] pdu, Fault fault) {
    }

    private final int unit;
    private final MeterProfile profile;
    private final MeterId id;
    private final Clock clock;
    private final Instant start;
    private final int faultEvery;
    private final List<Fault> faults;
    private final List<ElectricityLedgerEntry> ledger = Collections.synchronizedList(new ArrayList<>());
    private long requests;
    private volatile boolean silent;
    private int nextFault;

    public VirtualModbusMeter(int unit, MeterProfile profile, String idPart, Clock clock, int faultEvery, List<Fault> faults) {
        this.unit = unit;
        this.profile = profile;
        this.id = MeterId.of("modbus", profile.manufacturer(), idPart);
        this.clock = clock;
        this.start = clock.instant();
        this.faultEvery = faultEvery;
        this.faults = List.copyOf(faults);
    }

    public int unit() { return unit; }

    public MeterId id() { return id; }

    public MeterProfile profile() { return profile; }

    /** Clean answers so far and the readings the gateway must make of them. */
    public List<ElectricityLedgerEntry> ledger() {
        synchronized (ledger) {
            return List.copyOf(ledger);
        }
    }

    /** From now on the meter answers nothing (the end of a scenario: what it answered before must arrive). */
    public void silence() { silent = true; }

    /** Answers one read request (function codes 1..4). */
    public synchronized Answer answer(int fc, int startAddress, int count) {
        if (silent) return new Answer(null, Fault.TIMEOUT);
        requests++;
        if (faultEvery > 0 && !faults.isEmpty() && requests % faultEvery == 0) {
            Fault f = faults.get(nextFault++ % faults.size());
            if (f == Fault.EXCEPTION) return new Answer(exception(fc, 4), f);
            return new Answer(registers(fc, startAddress, count, clock.instant(), false), f);
        }
        if (fc < 1 || fc > 4) return new Answer(exception(fc, 1), null);
        int limit = fc <= 2 ? MeterProfile.MODBUS_MAX_BITS : MeterProfile.MODBUS_MAX_REGISTERS;
        if (count < 1 || count > limit) return new Answer(exception(fc, 3), null);
        boolean touches = profile.values().stream().anyMatch(v -> v.function() == fc && v.register() < startAddress + count && v.end() > startAddress);
        if (!touches) return new Answer(exception(fc, 2), null);
        return new Answer(registers(fc, startAddress, count, clock.instant(), true), null);
    }

    private static byte[] exception(int fc, int code) {
        return new byte[]{(byte) (fc | 0x80), (byte) code};
    }

    /** The PDU of a clean answer; {@code record}: write its readings to the ledger. */
    private byte[] registers(int fc, int startAddress, int count, Instant now, boolean record) {
        int[] words = new int[count];
        List<Reading> readings = new ArrayList<>();
        for (RegisterValue v : profile.values()) {
            if (v.function() != fc || v.register() + v.type().words() <= startAddress || v.register() >= startAddress + count) continue;
            int[] w = words(v, now);
            for (int i = 0; i < w.length; i++) {
                int at = v.register() - startAddress + i;
                if (at >= 0 && at < count) words[at] = w[i];
            }
            if (record && v.register() >= startAddress && v.end() <= startAddress + count) {
                try {
                    BigDecimal value = v.decode(w);
                    if (value != null) {
                        readings.add(new Reading(id, v.quantity(), v.unit(), value, v.measurement(), 0, v.tariff(), v.subunit(), null, now, 0, null));
                    }
                } catch (DecodeException e) {
                    throw new IllegalStateException("the simulator made an undecodable " + v.name(), e);
                }
            }
        }
        if (record) ledger.add(new ElectricityLedgerEntry(id.toString(), now, readings, false));
        if (fc <= 2) {
            byte[] pdu = new byte[2 + (count + 7) / 8];
            pdu[0] = (byte) fc;
            pdu[1] = (byte) ((count + 7) / 8);
            for (int i = 0; i < count; i++) if (words[i] != 0) pdu[2 + i / 8] |= (byte) (1 << (i % 8));
            return pdu;
        }
        byte[] pdu = new byte[2 + 2 * count];
        pdu[0] = (byte) fc;
        pdu[1] = (byte) (2 * count);
        for (int i = 0; i < count; i++) {
            pdu[2 + 2 * i] = (byte) (words[i] >> 8);
            pdu[3 + 2 * i] = (byte) words[i];
        }
        return pdu;
    }

    /**
     * The registers of {@code v} at {@code now}: energies grow by about 1 unit of the raw value per
     * 100 ms since start plus the unit id (never backwards), other values are a nominal number (by
     * quantity) plus a small wobble; floats are whole numbers so that any reader gets them exactly.
     */
    int[] words(RegisterValue v, Instant now) {
        long ms = Math.max(0, now.toEpochMilli() - start.toEpochMilli());
        if (v.type() == DataType.BOOL) return new int[]{(int) ((ms / 1000 + unit) % 2)};
        long raw;
        if (v.quantity().isBillingRegister()) {
            raw = 1000L * unit + ms / 100;
        } else {
            raw = nominal(v) + (ms / 1000 + unit) % 5;
        }
        if (v.type() == DataType.U16 || v.type() == DataType.S16 || v.type() == DataType.BCD16) raw %= v.type() == DataType.S16 ? 30000 : 9999;
        byte[] b = switch (v.type()) {
            case F32 -> ByteBuffer.allocate(4).putFloat((float) raw).array();
            case F64 -> ByteBuffer.allocate(8).putDouble(raw).array();
            case BCD16, BCD32 -> bcd(raw % (v.type() == DataType.BCD16 ? 10_000 : 100_000_000), v.type().words() * 2);
            default -> fixed(raw, v.type().words() * 2);
        };
        return v.words(b);
    }

    /** A plausible raw value for the quantity, in the register's own scale. */
    private static long nominal(RegisterValue v) {
        BigDecimal perRaw = v.scale().multiply(v.unitFactor());
        double target = switch (v.quantity()) {
            case VOLTAGE -> 230;
            case CURRENT -> 5;
            case POWER -> 1150;
            case FREQUENCY -> 50;
            case POWER_FACTOR -> 0.95;
            default -> 10;
        };
        if (v.measurement() != MeasurementFunction.INSTANTANEOUS || v.quantity() == Quantity.COUNT) target = 10;
        return Math.max(1, Math.round(target / perRaw.doubleValue()));
    }

    private static byte[] fixed(long v, int bytes) {
        byte[] b = BigInteger.valueOf(v).toByteArray();
        byte[] out = new byte[bytes];
        int n = Math.min(b.length, bytes);
        System.arraycopy(b, b.length - n, out, bytes - n, n);
        return out;
    }

    private static byte[] bcd(long v, int bytes) {
        byte[] out = new byte[bytes];
        for (int i = bytes - 1; i >= 0; i--) {
            int lo = (int) (v % 10);
            v /= 10;
            int hi = (int) (v % 10);
            v /= 10;
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }
}
