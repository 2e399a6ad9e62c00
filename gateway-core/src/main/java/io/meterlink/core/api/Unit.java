package io.meterlink.core.api;

/** Canonical units. Decoders scale every value into one of these before building a {@link Reading}. */
public enum Unit {
    M3("m3"), L("l"), WH("Wh"), J("J"), W("W"), J_PER_H("J/h"), M3_PER_H("m3/h"), KG("kg"), KG_PER_H("kg/h"),
    CELSIUS("°C"), KELVIN("K"), BAR("bar"), V("V"), A("A"), HZ("Hz"), VA("VA"), VAR("var"), VAH("VAh"), VARH("varh"),
    S("s"), HCA("HCA"), PERCENT("%"), DBM("dBm"), NONE("");

    private final String symbol;

    Unit(String symbol) { this.symbol = symbol; }

    /** The symbol used in payloads and {@code meterlink decode} output, e.g. {@code m3}, {@code °C}. */
    public String symbol() { return symbol; }

    public static Unit ofSymbol(String symbol) {
        for (Unit u : values()) {
            if (u.symbol.equals(symbol)) return u;
        }
        throw new IllegalArgumentException("unknown unit '" + symbol + "'");
    }

    @Override public String toString() { return symbol; }
}
