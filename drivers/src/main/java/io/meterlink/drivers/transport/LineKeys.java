package io.meterlink.drivers.transport;

import io.meterlink.core.api.config.ConfigKey;

import java.util.List;

/** The keys of a driver's line ({@link LineEndpoint}), declared once for every driver that reads them. */
public final class LineKeys {
    private LineKeys() {
    }

    public static final ConfigKey<String> TRANSPORT = ConfigKey.choice("transport", "serial", List.of("serial", "tcp"),
            "a serial port, or a raw TCP converter (ser2net style)");
    public static final ConfigKey<String> PORT = ConfigKey.text("port", null,
            "the serial device, e.g. `/dev/ttyUSB0`").describedAs("path").defaultDescribed("required for serial");
    public static final ConfigKey<String> HOST = ConfigKey.text("host", null,
            "the converter's address").defaultDescribed("required for tcp");
    public static final ConfigKey<Integer> TCP_PORT = ConfigKey.integer("tcp_port", null, 1, 65535,
            "the converter's TCP port").defaultDescribed("required for tcp");
    public static final ConfigKey<String> TIME_ZONE = ConfigKey.text("time_zone", "UTC",
            "the zone of the meters' clocks (meter times without an offset are read in it)").describedAs("zone id");
}
