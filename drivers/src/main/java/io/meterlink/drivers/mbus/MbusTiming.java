package io.meterlink.drivers.mbus;

/** Link-layer timing of wired M-Bus (EN 13757-2 §5.4). */
public final class MbusTiming {
    private MbusTiming() {}

    /**
     * How long the master waits for the first byte of an answer: 330 bit times plus 50 ms
     * (EN 13757-2 §5.4: a slave answers within 11 to 330 bit times; the 50 ms cover converters).
     */
    public static int responseTimeoutMillis(int baud) {
        return (int) Math.ceil(330_000.0 / baud) + 50;
    }
}
