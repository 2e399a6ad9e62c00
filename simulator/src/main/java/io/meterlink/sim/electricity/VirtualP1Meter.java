package io.meterlink.sim.electricity;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.drivers.crc.Crc16;
import io.meterlink.drivers.p1.P1Encryption;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A virtual DSMR P1 meter: each {@link #telegram} is a new telegram whose registers have moved on
 * (import tariffs 1/2, export tariff 1, power, voltage L1 and a gas meter on M-Bus channel 1), in
 * the layout of its DSMR version: {@code 5} (DSMR 5.0.2: version 50, hex-coded equipment ids,
 * CRC-16), {@code 4} (version 42, CRC-16), {@code 3} (no version line, no CRC, the gas value in the
 * {@code 0-1:24.3.0(…)(m3)} form on the next line), {@code 2.2} (no version line, no CRC, no gas
 * channel) or {@code emucs} (Belgian e-MUCS/Fluvius: version 0-0:96.1.4, the current average
 * demand 1-0:1.4.0 (function average), the month's peak demand 1-0:1.6.0 with its own time, gas on channel 1 as 0-1:24.2.3 with its id in 0-1:96.1.1, CRC-16).
 * With keys it sends encrypted P1 (general-global-cipher, frame counter growing). Every third
 * telegram can be damaged on demand (a flipped digit: CRC fails); each telegram and the readings a
 * gateway must deliver from it go to the ledger. Times are sent as winter time (flag W, UTC+1).
 * Thread-safe.
 */
public final class VirtualP1Meter implements PushMeter {
    /** The layouts: DSMR 5.0.2, 4.2, 3.0, 2.2 and the Belgian e-MUCS (Fluvius). */
    public static final List<String> VERSIONS = List.of("5", "4", "3", "2.2", "emucs");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyMMddHHmmss").withZone(ZoneOffset.ofHours(1));

    private final String equipmentId;
    private final String gasId;
    private final String version;
    private final byte[] key;
    private final byte[] authKey;
    private final byte[] systemTitle;
    private final int damageEvery;
    private final Random random;
    private final List<ElectricityLedgerEntry> ledger = new CopyOnWriteArrayList<>();
    private long importWh1 = 1_234_567_000L, importWh2 = 7_654_321_000L, exportWh1 = 12_345_000L, gasL = 4_321_000L;
    private long counter = 1;
    private int sent;

    /**
     * @param equipmentId up to 16 letters and digits (the meter id {@code p1:<id>:0})
     * @param version     {@code 5}, {@code 4} or {@code 2.2}
     * @param key         AES-128 encryption key, or {@code null} for plain P1
     * @param authKey     AES-128 authentication key (with {@code key})
     * @param damageEvery damage every n-th telegram (0 = never)
     */
    public VirtualP1Meter(String equipmentId, String version, byte[] key, byte[] authKey, int damageEvery, long seed) {
        if (!VERSIONS.contains(version)) throw new IllegalArgumentException("DSMR version must be one of " + VERSIONS);
        this.equipmentId = equipmentId;
        this.gasId = "G" + equipmentId.substring(Math.max(0, equipmentId.length() - 15));
        this.version = version;
        this.key = key == null ? null : key.clone();
        this.authKey = authKey == null ? new byte[0] : authKey.clone();
        this.systemTitle = "SIM".concat(String.format("%05d", Math.floorMod(equipmentId.hashCode(), 100_000))).getBytes(StandardCharsets.US_ASCII);
        this.damageEvery = damageEvery;
        this.random = new Random(seed);
    }

    public MeterId meterId() { return MeterId.of("p1", equipmentId, "0"); }

    public MeterId gasMeterId() { return MeterId.of("p1", gasId, "1"); }

    @Override public List<ElectricityLedgerEntry> ledger() { return List.copyOf(ledger); }

    @Override public byte[] next(Instant now) { return telegram(now); }

    /** The next telegram (encrypted when the meter has keys) as of {@code now}; recorded in the ledger. */
    public synchronized byte[] telegram(Instant now) {
        Instant t = now.truncatedTo(ChronoUnit.SECONDS);
        importWh1 += 1 + random.nextInt(900);
        exportWh1 += random.nextInt(50);
        if (random.nextBoolean()) importWh2 += random.nextInt(300);
        gasL += random.nextInt(20);
        int powerW = 100 + random.nextInt(5000);
        BigDecimal volts = BigDecimal.valueOf(2200 + random.nextInt(200), 1);
        boolean dsmr22 = version.equals("2.2"), dsmr3 = version.equals("3"), emucs = version.equals("emucs");
        boolean crc = !dsmr22 && !dsmr3; // CRC-16 from DSMR 4 on (e-MUCS has it)
        String stamp = STAMP.format(t) + "W";
        Instant peakAt = t.minusSeconds(600);
        long peakW = 1000 + random.nextInt(4000);
        StringBuilder b = new StringBuilder(emucs ? "/FLU5\\253SIMP1-emucs" : "/SIM5\\2SIMP1-" + version).append("\r\n\r\n");
        if (crc && !emucs) b.append("1-3:0.2.8(").append(version.equals("5") ? "50" : "42").append(")\r\n");
        if (emucs) b.append("0-0:96.1.4(50217)\r\n");
        b.append("0-0:1.0.0(").append(stamp).append(")\r\n"); // DSMR 3 meters have no telegram time: kept so that readings carry the meter's time
        b.append("0-0:96.1.1(").append(dsmr22 ? equipmentId : hex(equipmentId)).append(")\r\n");
        b.append("1-0:1.8.1(").append(kwh(importWh1)).append("*kWh)\r\n");
        b.append("1-0:1.8.2(").append(kwh(importWh2)).append("*kWh)\r\n");
        b.append("1-0:2.8.1(").append(kwh(exportWh1)).append("*kWh)\r\n");
        b.append("0-0:96.14.0(0001)\r\n");
        long averageW = 100 + random.nextInt(5000);
        if (emucs) b.append("1-0:1.4.0(").append(kwh(averageW)).append("*kW)\r\n"); // the current average demand
        if (emucs) b.append("1-0:1.6.0(").append(STAMP.format(peakAt)).append("W)(").append(kwh(peakW)).append("*kW)\r\n"); // the month's peak demand, with its own time
        b.append("1-0:1.7.0(").append(kwh(powerW)).append("*kW)\r\n");
        b.append("1-0:32.7.0(").append(volts.toPlainString()).append("*V)\r\n");
        String gas = new BigDecimal(gasL).movePointLeft(3).setScale(3).toPlainString();
        if (dsmr3) { // before DSMR 4: the capture time and the value on the next line, unit in its own group
            b.append("0-1:24.1.0(3)\r\n");
            b.append("0-1:96.1.0(").append(hex(gasId)).append(")\r\n");
            b.append("0-1:24.3.0(").append(STAMP.format(t)).append("W)(08)(60)(1)(0-1:24.2.1)(m3)\r\n(").append(gas).append(")\r\n");
        } else if (!dsmr22) {
            b.append("0-1:24.1.0(003)\r\n");
            b.append("0-1:").append(emucs ? "96.1.1(" : "96.1.0(").append(hex(gasId)).append(")\r\n");
            b.append("0-1:24.2.").append(emucs ? "3(" : "1(").append(stamp).append(")(").append(gas).append("*m3)\r\n");
        }
        b.append('!');
        String text = b.toString();
        byte[] body = text.getBytes(StandardCharsets.US_ASCII);
        if (crc) text += String.format("%04X", Crc16.ARC.of(body, 0, body.length));
        byte[] telegram = (text + "\r\n").getBytes(StandardCharsets.US_ASCII);
        sent++;
        boolean damaged = damageEvery > 0 && sent % damageEvery == 0 && crc; // without a CRC damage would go unseen
        List<Reading> readings = new ArrayList<>();
        if (damaged) {
            int at = text.indexOf("1-0:1.8.1(") + 11;
            telegram[at] = (byte) (telegram[at] == '9' ? '8' : telegram[at] + 1);
        } else {
            MeterId m = meterId();
            readings.add(reading(m, Quantity.ENERGY, Unit.WH, BigDecimal.valueOf(importWh1), 1, 1, t, now));
            readings.add(reading(m, Quantity.ENERGY, Unit.WH, BigDecimal.valueOf(importWh2), 2, 1, t, now));
            readings.add(reading(m, Quantity.ENERGY, Unit.WH, BigDecimal.valueOf(exportWh1), 1, 2, t, now));
            readings.add(reading(m, Quantity.POWER, Unit.W, BigDecimal.valueOf(powerW), 0, 1, t, now));
            readings.add(reading(m, Quantity.VOLTAGE, Unit.V, volts, 0, 32, t, now));
            if (emucs) {
                readings.add(new Reading(m, Quantity.POWER, Unit.W, BigDecimal.valueOf(peakW), MeasurementFunction.MAXIMUM, 0, 0, 1, peakAt, now, 0, null));
                readings.add(new Reading(m, Quantity.POWER, Unit.W, BigDecimal.valueOf(averageW), MeasurementFunction.AVERAGE, 0, 0, 1, t, now, 0, null));
            }
            if (!dsmr22) readings.add(reading(gasMeterId(), Quantity.VOLUME, Unit.M3, new BigDecimal(gasL).movePointLeft(3), 0, 0, t, now));
        }
        ledger.add(new ElectricityLedgerEntry(meterId().toString(), now, readings, damaged));
        return key == null ? telegram : P1Encryption.seal(telegram, systemTitle, counter++, key, authKey);
    }

    private static Reading reading(MeterId m, Quantity q, Unit u, BigDecimal v, int tariff, int subunit, Instant meterTime, Instant now) {
        return new Reading(m, q, u, v.stripTrailingZeros(), MeasurementFunction.INSTANTANEOUS, 0, tariff, subunit, meterTime, now, 0, null);
    }

    private static String kwh(long wh) { return new BigDecimal(wh).movePointLeft(3).setScale(3).toPlainString(); }

    private static String hex(String s) { return HexFormat.of().withUpperCase().formatHex(s.getBytes(StandardCharsets.US_ASCII)); }
}
