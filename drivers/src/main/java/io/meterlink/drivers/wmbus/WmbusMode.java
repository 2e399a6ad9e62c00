package io.meterlink.drivers.wmbus;

import java.util.Locale;

/**
 * Wireless M-Bus modes we listen in (EN 13757-4 §4): T1 and S1 meters send frame format A, C1
 * meters format A or B; the decoder tells the formats apart by their CRCs either way.
 */
public enum WmbusMode {
    T1, C1, S1;

    public static WmbusMode of(String name) { return valueOf(name.toUpperCase(Locale.ROOT)); }
}
