package io.meterlink.drivers.iec62056.dlms;

import io.meterlink.drivers.obis.Obis;

import java.util.List;

/**
 * A COSEM object to read: its interface class and logical name (IEC 62056-6-2): 1 data (attribute 2),
 * 3 register (2 value, 3 scaler_unit), 4 extended register (also 5 capture_time), 8 clock (2 time).
 * Immutable.
 */
public record CosemObject(int classId, Obis obis) {
    public static final int DATA = 1, REGISTER = 3, EXTENDED_REGISTER = 4, CLOCK = 8;

    public CosemObject {
        if (classId != DATA && classId != REGISTER && classId != EXTENDED_REGISTER && classId != CLOCK) {
            throw new IllegalArgumentException("interface class " + classId + " is not read (1 data, 3 register, 4 extended register, 8 clock)");
        }
        if (obis.a() == 255 || obis.b() == 255) throw new IllegalArgumentException("a logical name needs all six value groups: " + obis);
    }

    /** The energy and power registers read when none are configured. */
    public static final List<String> DEFAULTS = List.of("1/0-0:96.1.0", "8/0-0:1.0.0", "1-0:1.8.0", "1-0:1.8.1", "1-0:1.8.2",
            "1-0:2.8.0", "1-0:2.8.1", "1-0:2.8.2", "1-0:1.7.0", "1-0:2.7.0", "1-0:32.7.0", "1-0:52.7.0", "1-0:72.7.0",
            "1-0:31.7.0", "1-0:51.7.0", "1-0:71.7.0");

    /**
     * {@code [class/]A-B:C.D.E[*F]} (F 255 when left out); without a class: 8 for 0-0:1.0.0, 1 for
     * identifiers (0-0:96.x, 0-0:0.x, 0-0:42.0.0), 4 for maximum demand (C.6.E), else 3. {@code null} for bad text.
     */
    public static CosemObject parse(String s) {
        String t = s.strip();
        int slash = t.indexOf('/');
        Integer cls = null;
        if (slash > 0) {
            try {
                cls = Integer.valueOf(t.substring(0, slash).strip());
            } catch (NumberFormatException e) {
                return null;
            }
            t = t.substring(slash + 1).strip();
        }
        if (t.indexOf(':') < 0) return null;
        Obis o = Obis.parse(t);
        if (o == null) return null;
        if (o.f() == 255 && t.indexOf('*') < 0 && t.indexOf('&') < 0) o = new Obis(o.a(), o.b(), o.c(), o.d(), o.e(), 255);
        int c = cls != null ? cls : o.a() == 0 && o.c() == 1 && o.d() == 0 ? CLOCK
                : o.a() == 0 && (o.c() == 96 || o.c() == 0 || o.c() == 42) ? DATA
                : o.d() == 6 ? EXTENDED_REGISTER : REGISTER;
        try {
            return new CosemObject(c, o);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The six bytes of the logical name. */
    public byte[] logicalName() {
        return new byte[] {(byte) obis.a(), (byte) obis.b(), (byte) obis.c(), (byte) obis.d(), (byte) obis.e(), (byte) obis.f()};
    }

    @Override public String toString() { return classId + "/" + obis; }
}
