package io.meterlink.sim.electricity;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A virtual IEC 62056-21 meter in mode A, B, C, D or E (manufacturer {@code SIM}; {@link Mode}): answers
 * {@code /?<address>!} (or {@code /?!}) with its identification, and (modes C, E) the acknowledgement
 * {@code ACK 0 Z 0} or (modes A, B) at once with a data readout (mode E: {@code ACK 2 Z 2} opens an HDLC/DLMS
 * session instead, {@link DlmsMeterSession}); in mode D it pushes both ({@link #next}) (0.0.0 serial, 1.8.0 and 2.8.0 energy, 32.7 voltage) whose
 * registers move on each time and carry the meter's time (UTC, read with {@code time_zone: UTC}); every n-th readout can carry a wrong BCC on demand. Each readout and
 * the readings a gateway must deliver from it go to the ledger. Thread-safe.
 */
public final class VirtualIecMeter implements PushMeter {
    /** IEC 62056-21 §6.4 protocol modes. */
    public enum Mode {
        /** no speed switch: the readout follows the identification at 300 baud (baud character {@code :}). */
        A,
        /** speed switch without acknowledgement to the identification's letter ({@code E} = 9600). */
        B,
        /** acknowledged speed switch ({@code 5} = 9600), the readout after {@code ACK 0 Z 0}. */
        C,
        /** the meter pushes identification and readout at 2400 baud, no request (baud character {@code 3}). */
        D,
        /**
         * as C with {@code \2} in the identification: {@code ACK 0 Z 0} gives the data readout, {@code ACK 2 Z 2}
         * an HDLC/DLMS session ({@link DlmsMeterSession}) over the objects of {@link #dlms()}.
         */
        E
    }

    private static final java.time.format.DateTimeFormatter STAMP = java.time.format.DateTimeFormatter.ofPattern("yyMMddHHmmss").withZone(java.time.ZoneOffset.UTC);
    private final String address;
    private final Mode mode;
    private final int badBccEvery;
    private final Random random;
    private final List<ElectricityLedgerEntry> ledger = new CopyOnWriteArrayList<>();
    private long importWh = 10_000_000L, exportWh = 2_000L;
    private int sent;
    private volatile DlmsMeterSession.Options dlms = DlmsMeterSession.Options.PLAIN;

    /** The register values of one reading (a readout or an association). */
    record Registers(long importWh, long exportWh, BigDecimal volts, int powerW) { }

    /** @param address the device address (digits), also the serial sent in 0.0.0 */
    public VirtualIecMeter(String address, int badBccEvery, long seed) {
        this(address, Mode.E, badBccEvery, seed);
    }

    /** @param address the device address (digits), also the serial sent in 0.0.0 */
    public VirtualIecMeter(String address, Mode mode, int badBccEvery, long seed) {
        if (!address.matches("[0-9]{1,16}")) throw new IllegalArgumentException("address must be 1 to 16 digits");
        this.address = address;
        this.mode = mode;
        this.badBccEvery = badBccEvery;
        this.random = new Random(seed);
    }

    public String address() { return address; }

    public MeterId meterId() { return MeterId.of("iec62056", "SIM", address); }

    public List<ElectricityLedgerEntry> ledger() { return List.copyOf(ledger); }

    /** Whether a sign-on request is for this meter ({@code /?<address>!} or the empty address). */
    public boolean addressed(String request) {
        return request.equals("/?" + address + "!") || request.equals("/?!");
    }

    public Mode mode() { return mode; }

    /** The identification message: {@code /SIM5\2} (mode E), {@code /SIM5} (C), {@code /SIME} (B), {@code /SIM:} (A), {@code /SIM3} (D). */
    public byte[] identification() {
        String z = switch (mode) {
            case A -> ":";
            case B -> "E";
            case C -> "5";
            case D -> "3";
            case E -> "5\\2";
        };
        return ("/SIM" + z + "SIM" + address + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The speed of the readout: 9600 in modes B, C, E (after the switch), 300 in mode A, 2400 in mode D. */
    public int readoutBaud() {
        return switch (mode) {
            case A -> 300;
            case D -> 2400;
            default -> 9600;
        };
    }

    /** Mode D: the identification and a readout, pushed as the meter does every interval. */
    @Override
    public byte[] next(Instant now) {
        byte[] id = identification();
        byte[] r = readout(now);
        byte[] out = new byte[id.length + r.length];
        System.arraycopy(id, 0, out, 0, id.length);
        System.arraycopy(r, 0, out, id.length, r.length);
        return out;
    }

    /** Mode E: how its HDLC/DLMS sessions behave (segment length, block size, damage on demand). */
    public VirtualIecMeter withDlms(DlmsMeterSession.Options options) {
        this.dlms = options;
        return this;
    }

    public DlmsMeterSession.Options dlms() { return dlms; }

    /** Moves the registers on, as for each readout. */
    synchronized Registers next() {
        importWh += 1 + random.nextInt(2000);
        exportWh += random.nextInt(10);
        BigDecimal volts = BigDecimal.valueOf(2200 + random.nextInt(200), 1);
        return new Registers(importWh, exportWh, volts, random.nextInt(6000) - 1000);
    }

    private int sessions;

    /** The damage of the next HDLC/DLMS session (every n-th session, the kinds in turn), or {@code null}. */
    synchronized DlmsMeterSession.Damage nextSessionDamage() {
        sessions++;
        DlmsMeterSession.Options o = dlms;
        if (o.damageEvery() <= 0 || sessions % o.damageEvery() != 0) return null;
        return o.damages().get((sessions / o.damageEvery() - 1) % o.damages().size());
    }

    /** Records what one HDLC/DLMS session gave (or, damaged, must not give). */
    void record(Instant now, List<Reading> readings, boolean damaged) {
        ledger.add(new ElectricityLedgerEntry(meterId().toString(), now, damaged ? List.of() : readings, damaged));
    }

    /** The next data readout (STX … ! CR LF ETX BCC) as of {@code now}; recorded in the ledger. */
    public synchronized byte[] readout(Instant now) {
        BigDecimal volts = next().volts();
        Instant t = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String stamp = "(" + STAMP.format(t) + ")"; // the meter's clock (UTC, no season flag) after each value
        String data = "0.0.0(" + address + ")\r\n"
                + "1.8.0(" + kwh(importWh) + "*kWh)" + stamp + "\r\n"
                + "2.8.0(" + kwh(exportWh) + "*kWh)" + stamp + "\r\n"
                + "32.7(" + volts.toPlainString() + "*V)" + stamp + "\r\n!\r\n";
        byte[] body = data.getBytes(StandardCharsets.US_ASCII);
        int bcc = 0x03; // BCC: XOR of every byte after STX up to and including ETX (IEC 62056-21 §6.3.12)
        for (byte x : body) bcc ^= x;
        sent++;
        boolean damaged = badBccEvery > 0 && sent % badBccEvery == 0;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x02);
        o.writeBytes(body);
        o.write(0x03);
        o.write(damaged ? bcc ^ 0x01 : bcc);
        List<Reading> readings = new ArrayList<>();
        if (!damaged) {
            MeterId m = meterId();
            readings.add(new Reading(m, Quantity.ENERGY, Unit.WH, BigDecimal.valueOf(importWh).stripTrailingZeros(), MeasurementFunction.INSTANTANEOUS, 0, 0, 1, t, now, 0, null));
            readings.add(new Reading(m, Quantity.ENERGY, Unit.WH, BigDecimal.valueOf(exportWh).stripTrailingZeros(), MeasurementFunction.INSTANTANEOUS, 0, 0, 2, t, now, 0, null));
            readings.add(new Reading(m, Quantity.VOLTAGE, Unit.V, volts.stripTrailingZeros(), MeasurementFunction.INSTANTANEOUS, 0, 0, 32, t, now, 0, null));
        }
        ledger.add(new ElectricityLedgerEntry(meterId().toString(), now, readings, damaged));
        return o.toByteArray();
    }

    private static String kwh(long wh) { return new BigDecimal(wh).movePointLeft(3).setScale(3).toPlainString(); }
}
