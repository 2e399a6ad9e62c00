package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.config.Secret;

import java.time.Duration;
import java.util.List;

/**
 * Builds the {@link Iec62056DriverConfig} a test needs through its one production constructor: a serial line
 * signing on at 300 baud (at most 9600), polled hourly, a 250 ms response timeout, no retries, no wake-up,
 * meter {@code 12345678}, a plain data readout, {@code readout_deadline} its default. Each method changes one setting.
 */
final class ConfigBuilder {
    private String endpoint = "test";
    private boolean tcp, wakeUp, strictTiming;
    private int retries;
    private int responseTimeoutMs = 250;
    private List<String> addresses = List.of("12345678");
    private Secret password;
    private List<String> registers = List.of();
    private Duration readoutDeadline = Iec62056Keys.READOUT_DEADLINE.defaultValue();
    private Iec62056DriverConfig.ModeE modeE;

    ConfigBuilder tcp() {
        endpoint = "tcp";
        tcp = true;
        return this;
    }

    ConfigBuilder wakeUp() {
        wakeUp = true;
        return this;
    }

    ConfigBuilder strictTiming() {
        strictTiming = true;
        return this;
    }

    ConfigBuilder retries(int n) {
        retries = n;
        return this;
    }

    ConfigBuilder responseTimeoutMs(int ms) {
        responseTimeoutMs = ms;
        return this;
    }

    ConfigBuilder addresses(String... a) {
        addresses = List.of(a);
        return this;
    }

    /** Programming mode (P1) with {@code password}, reading {@code registers}; with {@link #modeE} the DLMS password. */
    ConfigBuilder password(String password, List<String> registers) {
        this.password = Secret.of(password);
        this.registers = registers;
        return this;
    }

    ConfigBuilder readoutDeadline(Duration d) {
        readoutDeadline = d;
        return this;
    }

    ConfigBuilder modeE(Iec62056DriverConfig.ModeE e) {
        modeE = e;
        return this;
    }

    Iec62056DriverConfig build() {
        return new Iec62056DriverConfig(endpoint, tcp, 300, 9600, Duration.ofHours(1), responseTimeoutMs, wakeUp, retries, addresses,
                password, registers, strictTiming, readoutDeadline, modeE);
    }
}
