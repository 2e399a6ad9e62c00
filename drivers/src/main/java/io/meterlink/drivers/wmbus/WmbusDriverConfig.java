package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.Secret;

import java.time.ZoneId;
import java.util.List;

/**
 * A validated {@code wmbus} source. Immutable.
 *
 * @param endpoint      transport description for logs
 * @param dongle        {@code im871a}, {@code iu891a}, {@code amb8465}, {@code cul} or {@code hexlines}
 * @param mode          radio mode the dongle is put into
 * @param ambRssi       AMB8465 only: whether the stick appends an RSSI byte
 * @param meterZone     zone of the meters' clocks
 * @param acceptUnknown whether unencrypted telegrams of meters not in {@code meters} are stored
 * @param meters        the configured meters
 * @param drivers       the driver files: the built-in set and those of {@code driver_dir}
 */
record WmbusDriverConfig(String endpoint, String dongle, WmbusMode mode, boolean ambRssi, ZoneId meterZone,
                         boolean acceptUnknown, List<Meter> meters, DriverSet drivers) {
    WmbusDriverConfig {
        meters = List.copyOf(meters);
    }

    /**
     * One configured meter.
     *
     * @param id           8-digit identification number
     * @param manufacturer FLAG code, or {@code null} for any
     * @param key          AES-128 key as hex, or {@code null} when the meter sends in clear
     */
    record Meter(String id, String manufacturer, Secret key) {
        boolean matches(String man, String meterId) {
            return id.equals(meterId) && (manufacturer == null || manufacturer.equalsIgnoreCase(man));
        }

        @Override public String toString() { return "meter " + (manufacturer == null ? "" : manufacturer + " ") + id; }
    }

    DongleFramer newFramer() {
        return switch (dongle) {
            case "im871a" -> new Im871aFramer(mode);
            case "iu891a" -> new Iu891aFramer();
            case "amb8465" -> new Amb8465Framer(mode, ambRssi);
            case "cul" -> new CulFramer(mode);
            default -> new HexLineFramer();
        };
    }

    /** Keys of the configured meters (the key decides, the manufacturer filter applies when given). */
    KeyLookup keys() {
        return (man, id) -> {
            for (Meter m : meters) {
                if (m.key() != null && m.matches(man, id)) return java.util.Optional.of(m.key().revealHex());
            }
            return java.util.Optional.empty();
        };
    }

    boolean known(String man, String id) {
        for (Meter m : meters) {
            if (m.matches(man, id)) return true;
        }
        return false;
    }
}
