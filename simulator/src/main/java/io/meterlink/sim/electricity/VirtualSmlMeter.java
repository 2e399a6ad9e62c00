package io.meterlink.sim.electricity;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.drivers.crc.Crc16;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A virtual SML meter (an eHZ-like info interface): each {@link #next} is a generated SML file with
 * one GetList.Res (SML 1.04 §7.1.9) carrying 1-0:1.8.0 and 1-0:2.8.0 (Wh, scaler −1, int64) and the
 * net power 1-0:16.7.0 (W, int32, negative while exporting), in the transport of SML 1.04 §8
 * (start escape, padding to 4 bytes, end escape with fill count and CRC-16/X-25). Every n-th file
 * can be damaged on demand (a flipped value byte: the CRC fails, no reading), and noise can be sent
 * between files (the reader must resync). Server id {@code 0A 01 "SIM" 00 <serial 4>}. Thread-safe.
 */
public final class VirtualSmlMeter implements PushMeter {
    private static final byte[] START = {0x1B, 0x1B, 0x1B, 0x1B, 1, 1, 1, 1};
    private final byte[] serverId;
    private final int damageEvery;
    private final boolean noise;
    private final Random random;
    private final List<ElectricityLedgerEntry> ledger = new CopyOnWriteArrayList<>();
    private long importTenthWh = 123_456_789L, exportTenthWh = 4_567L;
    private int sent;

    public VirtualSmlMeter(int serial, int damageEvery, boolean noise, long seed) {
        this.serverId = new byte[]{0x0A, 0x01, 'S', 'I', 'M', 0, (byte) (serial >>> 24), (byte) (serial >>> 16), (byte) (serial >>> 8), (byte) serial};
        this.damageEvery = damageEvery;
        this.noise = noise;
        this.random = new Random(seed);
    }

    public MeterId meterId() { return MeterId.of("sml", "SIM", HexFormat.of().withUpperCase().formatHex(serverId)); }

    @Override public List<ElectricityLedgerEntry> ledger() { return List.copyOf(ledger); }

    @Override
    public synchronized byte[] next(Instant now) {
        importTenthWh += 1 + random.nextInt(5000);
        exportTenthWh += random.nextInt(100);
        int powerW = random.nextInt(6000) - 2000;
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        msg.writeBytes(new byte[]{0x76, 0x03, 'T', '1', 0x62, 0x00, 0x62, 0x00}); // message: list of 6, transaction id "T1", group 0, abort 0
        msg.writeBytes(new byte[]{0x72, 0x65, 0, 0, 0x07, 0x01});                 // body: [tag 0x0701 GetList.Res, …]
        msg.writeBytes(new byte[]{0x77, 0x01, 0x0B});                             // list of 7: client id absent, server id (10 bytes)
        msg.writeBytes(serverId);
        msg.writeBytes(new byte[]{0x01, 0x01, 0x73});                             // list name, sensor time absent; value list of 3
        Instant t = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        entry(msg, new byte[]{1, 0, 1, 8, 0, (byte) 255}, t, 30, -1, 0x59, importTenthWh, 8);
        entry(msg, new byte[]{1, 0, 2, 8, 0, (byte) 255}, t, 30, -1, 0x59, exportTenthWh, 8);
        entry(msg, new byte[]{1, 0, 16, 7, 0, (byte) 255}, t, 27, 0, 0x55, powerW, 4);
        msg.writeBytes(new byte[]{0x01, 0x01, 0x63, 0, 0, 0x00});                 // signature, gateway time absent; message CRC (not checked by readers), end of message
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        if (noise) f.writeBytes(new byte[]{0x55, 0x1B, 0x00, 0x7E});
        int start = f.size();
        f.writeBytes(START);
        byte[] body = msg.toByteArray();
        f.writeBytes(body);
        int fill = (4 - body.length % 4) % 4;
        for (int i = 0; i < fill; i++) f.write(0);
        f.writeBytes(new byte[]{0x1B, 0x1B, 0x1B, 0x1B, 0x1A, (byte) fill});
        byte[] file = f.toByteArray();
        int crc = Crc16.X25.of(file, start, file.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(file);
        out.write(crc >>> 8);
        out.write(crc & 0xFF);
        byte[] bytes = out.toByteArray();
        sent++;
        boolean damaged = damageEvery > 0 && sent % damageEvery == 0;
        List<Reading> readings = new ArrayList<>();
        if (damaged) {
            bytes[bytes.length - 12] ^= 0x01; // near the end of the message: framing holds, the file CRC fails
        } else {
            readings.add(reading(Quantity.ENERGY, Unit.WH, BigDecimal.valueOf(importTenthWh, 1), 1, t, now));
            readings.add(reading(Quantity.ENERGY, Unit.WH, BigDecimal.valueOf(exportTenthWh, 1), 2, t, now));
            readings.add(reading(Quantity.POWER, Unit.W, BigDecimal.valueOf(powerW), 16, t, now));
        }
        ledger.add(new ElectricityLedgerEntry(meterId().toString(), now, readings, damaged));
        return bytes;
    }

    private Reading reading(Quantity q, Unit u, BigDecimal v, int subunit, Instant t, Instant now) {
        return new Reading(meterId(), q, u, v.stripTrailingZeros(), MeasurementFunction.INSTANTANEOUS, 0, 0, subunit, t, now, 0, null);
    }

    /** A list entry of 7: object name, status absent, value time (SML_Time timestamp, §6.3.5), unit, scaler, value (TL {@code valueTl}, {@code width} bytes), signature absent. */
    private static void entry(ByteArrayOutputStream o, byte[] obis, Instant t, int unit, int scaler, int valueTl, long value, int width) {
        o.write(0x77);
        o.write(0x07);
        o.writeBytes(obis);
        long sec = t.getEpochSecond();
        o.writeBytes(new byte[]{0x01, 0x72, 0x62, 0x02, 0x65, (byte) (sec >>> 24), (byte) (sec >>> 16), (byte) (sec >>> 8), (byte) sec});
        o.writeBytes(new byte[]{0x62, (byte) unit, 0x52, (byte) scaler, (byte) valueTl});
        for (int i = width - 1; i >= 0; i--) o.write((int) (value >>> 8 * i));
        o.write(0x01); // value signature absent
    }
}
