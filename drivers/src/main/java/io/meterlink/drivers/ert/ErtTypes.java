package io.meterlink.drivers.ert;

/** What an ERT type number meters (after rtlamr's meter notes); R900 is always water. */
public final class ErtTypes {
    private ErtTypes() {}

    /** The metered commodity. */
    public enum Commodity {
        ELECTRIC, GAS, WATER, UNKNOWN;

        public String wireName() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public static Commodity commodity(ErtProtocol protocol, int ertType) {
        if (protocol.isR900()) return Commodity.WATER;
        return switch (ertType & 0x0F) {
            case 4, 5, 7, 8 -> Commodity.ELECTRIC;
            case 0, 1, 2, 9, 12 -> Commodity.GAS;
            case 3, 11, 13 -> Commodity.WATER;
            default -> Commodity.UNKNOWN;
        };
    }
}
