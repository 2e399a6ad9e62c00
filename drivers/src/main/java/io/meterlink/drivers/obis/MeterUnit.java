package io.meterlink.drivers.obis;

import io.meterlink.core.api.Unit;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * A meter's unit (a DLMS unit code or the text of a readout) turned into one of our canonical
 * {@link Unit}s with the power of ten (or factor) to apply, e.g. kWh → Wh ×1000. A unit we have no
 * canonical form for keeps the meter's own symbol ({@link #symbol()}) and factor 1.
 *
 * @param canonical our unit, or {@code null} when there is none
 * @param symbol    the symbol shown ({@code canonical.symbol()} or the meter's own)
 * @param factor    multiply the meter's value by this to get it in {@code symbol}
 */
public record MeterUnit(Unit canonical, String symbol, BigDecimal factor) {
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    static MeterUnit of(Unit u) { return new MeterUnit(u, u.symbol(), BigDecimal.ONE); }

    static MeterUnit of(Unit u, BigDecimal factor) { return new MeterUnit(u, u.symbol(), factor); }

    static MeterUnit other(String symbol) { return new MeterUnit(null, symbol, BigDecimal.ONE); }

    /** What {@link #powerOfTen()} says for a factor other than 1 or 1000. */
    public static final int NOT_A_POWER_OF_TEN = Integer.MIN_VALUE;

    /** 0 for factor 1, 3 for factor 1000, else {@link #NOT_A_POWER_OF_TEN} (other factors are not looked at). */
    public int powerOfTen() {
        if (factor == BigDecimal.ONE) return 0;
        if (factor == THOUSAND) return 3;
        return NOT_A_POWER_OF_TEN;
    }

    /** Scales a meter value into this unit. */
    public BigDecimal apply(BigDecimal v) {
        if (factor == BigDecimal.ONE) return v;
        if (factor == THOUSAND) return v.scaleByPowerOfTen(3); // kWh, kW, kvarh…: no multiplication
        return factor.compareTo(BigDecimal.ONE) == 0 ? v : v.multiply(factor);
    }

    /**
     * A DLMS/COSEM unit code (IEC 62056-6-2 §4.3 "unit" enumeration, the Blue Book's table), as SML
     * sends it; {@code null} for 255 (count, no unit) and 0 (none).
     */
    public static MeterUnit dlms(int code) {
        return code >= 0 && code < DLMS.length ? DLMS[code] : ofDlms(code);
    }

    /** Every unit code of one byte, made once: SML sends one with every value. */
    private static final MeterUnit[] DLMS = new MeterUnit[256];

    static {
        for (int i = 0; i < DLMS.length; i++) DLMS[i] = ofDlms(i);
    }

    private static MeterUnit ofDlms(int code) {
        return switch (code) {
            case 5 -> of(Unit.S, BigDecimal.valueOf(3600));
            case 6 -> of(Unit.S, BigDecimal.valueOf(60));
            case 7 -> of(Unit.S);
            case 8 -> other("°");
            case 9 -> of(Unit.CELSIUS);
            case 13, 14 -> of(Unit.M3);
            case 15, 16 -> of(Unit.M3_PER_H);
            case 19 -> of(Unit.M3, new BigDecimal("0.001"));
            case 20 -> of(Unit.KG);
            case 23 -> of(Unit.BAR, new BigDecimal("0.00001"));
            case 24 -> of(Unit.BAR);
            case 25 -> of(Unit.J);
            case 26 -> of(Unit.J_PER_H);
            case 27 -> of(Unit.W);
            case 28 -> of(Unit.VA);
            case 29 -> of(Unit.VAR);
            case 30 -> of(Unit.WH);
            case 31 -> of(Unit.VAH);
            case 32 -> of(Unit.VARH);
            case 33 -> of(Unit.A);
            case 35 -> of(Unit.V);
            case 44 -> of(Unit.HZ);
            case 52 -> of(Unit.KELVIN);
            case 56 -> of(Unit.PERCENT);
            case 70 -> of(Unit.DBM);
            case 0, 255 -> null;
            default -> other("dlms_unit_" + code);
        };
    }

    /**
     * The unit text of an optical readout or P1 telegram ({@code kWh}, {@code kW}, {@code V}, {@code m3},
     * {@code GJ}, …), case-insensitive; {@code null} for an empty text.
     */
    public static MeterUnit text(String unit) {
        if (unit == null || unit.isEmpty()) return null;
        if (unit.length() > ObisRecords.UNIT_MAX) return ofText(unit); // a long text is made per call, never kept
        MeterUnit known = TEXTS.get(unit);
        if (known != null) return known;
        MeterUnit u = ofText(unit);
        if (TEXTS.size() >= TEXTS_MAX) TEXTS.clear(); // a meter sends the same few units in every telegram
        TEXTS.put(unit, u);
        return u;
    }

    private static final int TEXTS_MAX = 1024;
    private static final java.util.Map<String, MeterUnit> TEXTS = new java.util.concurrent.ConcurrentHashMap<>();

    private static MeterUnit ofText(String unit) {
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "wh" -> of(Unit.WH);
            case "kwh" -> of(Unit.WH, THOUSAND);
            case "mwh" -> of(Unit.WH, BigDecimal.valueOf(1_000_000));
            case "w" -> of(Unit.W);
            case "kw" -> of(Unit.W, THOUSAND);
            case "mw" -> unit.equals("MW") ? of(Unit.W, BigDecimal.valueOf(1_000_000)) : other(unit);
            case "varh" -> of(Unit.VARH);
            case "kvarh" -> of(Unit.VARH, THOUSAND);
            case "var" -> of(Unit.VAR);
            case "kvar" -> of(Unit.VAR, THOUSAND);
            case "vah" -> of(Unit.VAH);
            case "kvah" -> of(Unit.VAH, THOUSAND);
            case "va" -> of(Unit.VA);
            case "kva" -> of(Unit.VA, THOUSAND);
            case "v" -> of(Unit.V);
            case "kv" -> of(Unit.V, THOUSAND);
            case "a" -> of(Unit.A);
            case "ma" -> of(Unit.A, new BigDecimal("0.001"));
            case "hz" -> of(Unit.HZ);
            case "m3", "m³" -> of(Unit.M3);
            case "dm3", "l" -> of(Unit.M3, new BigDecimal("0.001"));
            case "m3/h" -> of(Unit.M3_PER_H);
            case "gj" -> of(Unit.J, BigDecimal.valueOf(1_000_000_000L));
            case "mj" -> of(Unit.J, BigDecimal.valueOf(1_000_000L));
            case "s" -> of(Unit.S);
            case "min" -> of(Unit.S, BigDecimal.valueOf(60));
            case "h" -> of(Unit.S, BigDecimal.valueOf(3600));
            case "°c", "c" -> of(Unit.CELSIUS);
            case "k" -> of(Unit.KELVIN);
            case "bar" -> of(Unit.BAR);
            case "%" -> of(Unit.PERCENT);
            default -> other(unit);
        };
    }
}
