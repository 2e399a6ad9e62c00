package io.meterlink.drivers.iec62056.dlms;

import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.drivers.obis.MeterUnit;
import io.meterlink.drivers.obis.Obis;
import io.meterlink.drivers.obis.ObisRecords;

import java.math.BigDecimal;
import java.util.HexFormat;

/**
 * COSEM attribute values as family-neutral OBIS records: a register's value × 10^scaler in its DLMS
 * unit (IEC 62056-6-2 §4.3.2 scaler_unit; the unit codes as SML sends them), a data object's number or
 * text, a date-time as ISO-8601. Stateless.
 */
public final class DlmsRecords {
    private DlmsRecords() {}

    /**
     * A register (class 3 or 4).
     *
     * @param scalerUnit the scaler_unit structure {integer scaler, enum unit}
     * @param meterTime  ISO-8601 time of the value (capture time, or the meter's clock), or {@code null}
     */
    public static DecodedRecord register(Obis code, DlmsValue value, DlmsValue scalerUnit, String meterTime) throws DlmsException {
        if (!(scalerUnit instanceof DlmsValue.Items su) || su.items().size() != 2
                || !(su.items().get(0) instanceof DlmsValue.Num scaler) || !(su.items().get(1) instanceof DlmsValue.Num unit)) {
            throw DlmsException.syntax("scaler_unit of " + code + " is no structure {scaler, unit}");
        }
        if (scaler.tag() != Axdr.INTEGER) throw DlmsException.syntax("scaler of " + code + " is no integer (data type " + scaler.tag() + ")");
        int s = scaler.value().intValue(); // an integer (8 bits) always fits
        MeterUnit u = MeterUnit.dlms(unit.value().intValue());
        if (value instanceof DlmsValue.Num n) return ObisRecords.record(code, n.value().scaleByPowerOfTen(s), null, u, meterTime);
        return ObisRecords.record(code, null, text(value), u, meterTime);
    }

    /** A data object's value (class 1) or a clock's time (class 8): numbers without unit, everything else as text. */
    public static DecodedRecord data(Obis code, DlmsValue value, String meterTime) {
        if (value instanceof DlmsValue.Num n) return ObisRecords.record(code, n.value(), null, null, meterTime);
        return ObisRecords.record(code, null, text(value), null, meterTime);
    }

    /**
     * The text of a value: visible strings as sent, an octet-string of printable characters as text, a
     * 12-byte date-time as ISO-8601, other bytes as hex, structures and arrays in brackets.
     */
    public static String text(DlmsValue v) {
        if (v instanceof DlmsValue.Text t) return t.value();
        if (v instanceof DlmsValue.Num n) return plain(n.value());
        if (v instanceof DlmsValue.Bool b) return String.valueOf(b.value());
        if (v instanceof DlmsValue.Null) return "";
        if (v instanceof DlmsValue.Octets o) {
            byte[] b = o.bytes();
            if ((o.tag() == Axdr.DATE_TIME || o.tag() == Axdr.OCTET_STRING) && b.length == 12) {
                String iso = DlmsDateTime.iso(b);
                if (iso != null) return iso;
            }
            if (o.tag() == Axdr.OCTET_STRING && printable(b)) return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
            return HexFormat.of().formatHex(b);
        }
        StringBuilder s = new StringBuilder("[");
        for (DlmsValue i : ((DlmsValue.Items) v).items()) s.append(s.length() > 1 ? "," : "").append(text(i));
        return s.append(']').toString();
    }

    private static boolean printable(byte[] b) {
        if (b.length == 0) return false;
        for (byte x : b) if (x < 0x20 || x > 0x7E) return false;
        return true;
    }

    private static String plain(BigDecimal v) {
        return io.meterlink.drivers.obis.ObisRecords.shown(v, null).toPlainString();
    }
}
