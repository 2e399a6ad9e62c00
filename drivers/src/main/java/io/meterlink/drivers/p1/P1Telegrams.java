package io.meterlink.drivers.p1;

import io.meterlink.drivers.obis.LastTextMemo;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;
import io.meterlink.drivers.iec62056.DataSet;
import io.meterlink.drivers.iec62056.Iec62056FrameDecoder;
import io.meterlink.drivers.iec62056.Readout;
import io.meterlink.drivers.iec62056.ReadoutRecords;
import io.meterlink.drivers.crc.Crc16;
import io.meterlink.drivers.obis.Obis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes one DSMR P1 telegram (DSMR 2.2 to 5.0.2, e-MUCS/Fluvius): {@code /XXX5<ident>}, data
 * sets, {@code !} and, from DSMR 4, a CRC-16/ARC (DSMR 5.0.2 §6.2: over {@code /} to {@code !}
 * inclusive, 4 hex digits; fewer digits, as some meters send without leading zeros, are accepted).
 * The electricity meter is {@code p1:<equipment id>:0} (0-0:96.1.1, hex-coded text decoded, else
 * 0-0:96.1.0); each M-Bus channel n (gas, water, heat on {@code 0-n:…}) is its own meter
 * {@code p1:<its equipment id 0-n:96.1.0/1>:<n>}, named on each of its records. Electricity records
 * without their own time take the telegram's time 0-0:1.0.0. Stateless.
 */
final class P1Telegrams {
    static final String PROTOCOL = "p1";
    private static final Obis TIME = new Obis(0, 0, 1, 0, 0, 255);

    private P1Telegrams() {}

    static DecodedFrame decode(byte[] t) throws DecodeException {
        Readout r = Readout.parse(t);
        if (r.manufacturer() == null) throw new DecodeException(DecodeException.Kind.SYNTAX, "P1 telegram without its identification line /XXX5…");
        if (r.endIndex() < 0) throw new DecodeException(DecodeException.Kind.TRUNCATED, "P1 telegram without its end line '!'");
        String crcText = r.afterEnd().strip();
        if (!crcText.isEmpty()) {
            if (crcText.length() > 4 || !hex(crcText)) {
                throw new DecodeException(DecodeException.Kind.SYNTAX, "P1 CRC is no 1 to 4 hex digits: '" + crcText + "'");
            }
            int sent = Integer.parseInt(crcText, 16);
            int computed = Crc16.ARC.of(t, 0, r.endIndex() + 1);
            if (sent != computed) {
                throw new DecodeException(DecodeException.Kind.CHECKSUM, String.format("P1 CRC %04X does not match the telegram (computed %04X)", sent, computed));
            }
        }
        Map<Integer, String> equipment = new HashMap<>();
        String time = null, version = null;
        for (DataSet d : r.dataSets()) {
            Obis o = d.obis();
            if (o == null || d.size() == 0) continue;
            if (o.a() == 0 && o.c() == 96 && o.d() == 1 && (o.e() == 0 || o.e() == 1)) {
                equipment.merge(o.b(), text(d.value(0)), (old, neu) -> o.e() == 1 ? neu : old);
            }
            if (o.equals(TIME)) time = ReadoutRecords.timestamp(d.value(0));
            if (o.a() == 1 && o.c() == 0 && o.d() == 2 && o.e() == 8 || o.a() == 0 && o.c() == 96 && o.d() == 1 && o.e() == 4) version = d.value(0);
        }
        String main = equipment.containsKey(0) ? equipment.get(0) : r.manufacturer() + r.identification();
        List<DecodedRecord> records = new ArrayList<>(r.dataSets().size() + 4);
        List<Fact>[] extras = null; // per M-Bus channel 1-4: its number and its meter, made once per telegram
        for (DataSet d : r.dataSets()) {
            Obis o = d.obis();
            int channel = o != null && o.a() == 0 && o.b() >= 1 && o.b() <= 4 ? o.b() : 0;
            List<Fact> extra = List.of();
            if (channel != 0) {
                if (extras == null) extras = channelFacts();
                if (extras[channel] == null) {
                    extras[channel] = List.of(new Fact("channel", channel), new Fact("meter", meterId(equipment.getOrDefault(channel, "channel" + channel), channel)));
                }
                extra = extras[channel];
            }
            ReadoutRecords.records(d, time, extra, records);
        }
        List<Fact> h = new ArrayList<>();
        h.add(new Fact("protocol", PROTOCOL));
        h.add(new Fact("meter", MAIN_IDS.apply(main)));
        h.add(new Fact("manufacturer", r.manufacturer()));
        h.add(new Fact("identification", Readout.printableText(r.identification())));
        if (version != null) h.add(new Fact("version", version));
        if (time != null) h.add(new Fact(DecodedRecord.METER_TIME, time));
        if (!crcText.isEmpty()) h.add(new Fact("crc", crcText));
        return new DecodedFrame(PROTOCOL, h, records, List.of());
    }

    @SuppressWarnings("unchecked")
    private static List<Fact>[] channelFacts() { return new List[5]; }

    private static boolean hex(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.digit(s.charAt(i), 16) < 0) return false;
        return true;
    }

    static String meterId(String equipment, int channel) {
        return PROTOCOL + ":" + Iec62056FrameDecoder.sanitize(equipment, 16).replace('.', '_') + ":" + channel; // no '.' in the manufacturer slot
    }

    /** DSMR sends equipment ids as hex-coded ASCII; decoded when it is printable, else as sent. */
    static String text(String v) {
        return TEXTS.apply(v); // the same equipment ids in every telegram
    }

    private static final LastTextMemo TEXTS = new LastTextMemo(P1Telegrams::decodedText);

    /** The electricity meter's id of an equipment id: the same in every telegram. */
    private static final LastTextMemo MAIN_IDS = new LastTextMemo(equipment -> meterId(equipment, 0));

    private static String decodedText(String v) {
        if (v.length() % 2 != 0 || v.isEmpty() || !hex(v)) return v;
        byte[] b = java.util.HexFormat.of().parseHex(v);
        for (byte x : b) if (x < 0x20 || x > 0x7E) return v;
        return new String(b, StandardCharsets.US_ASCII);
    }
}
