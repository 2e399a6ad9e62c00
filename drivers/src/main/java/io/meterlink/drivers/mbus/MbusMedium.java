package io.meterlink.drivers.mbus;

/** Names of the medium / device type byte (EN 13757-3 §5.4, Table 3) for the media we meet most. */
public final class MbusMedium {
    private MbusMedium() {}

    public static final int ELECTRICITY = 0x02;
    public static final int GAS = 0x03;
    public static final int HEAT_OUTLET = 0x04;
    public static final int WARM_WATER = 0x06;
    public static final int WATER = 0x07;
    public static final int HEAT_COST_ALLOCATOR = 0x08;
    public static final int HEAT_INLET = 0x0C;
    public static final int HEAT_AND_COOLING = 0x0D;
    public static final int COLD_WATER = 0x16;

    /** Lower-case name for payloads, e.g. {@code water}; {@code medium_0x2a} when not in the table. */
    public static String name(int medium) {
        return switch (medium) {
            case 0x00 -> "other";
            case 0x01 -> "oil";
            case ELECTRICITY -> "electricity";
            case GAS -> "gas";
            case HEAT_OUTLET -> "heat";
            case 0x05 -> "steam";
            case WARM_WATER -> "warm_water";
            case WATER -> "water";
            case HEAT_COST_ALLOCATOR -> "heat_cost_allocator";
            case 0x09 -> "compressed_air";
            case 0x0A, 0x0B -> "cooling";
            case HEAT_INLET -> "heat_inlet";
            case HEAT_AND_COOLING -> "heat_cooling";
            case 0x0E -> "bus_system";
            case 0x0F -> "unknown";
            case 0x15 -> "hot_water";
            case COLD_WATER -> "cold_water";
            case 0x17 -> "dual_water";
            case 0x18 -> "pressure";
            case 0x19 -> "ad_converter";
            default -> String.format("medium_0x%02x", medium);
        };
    }
}
