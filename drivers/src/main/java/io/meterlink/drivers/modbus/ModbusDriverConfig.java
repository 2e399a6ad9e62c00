package io.meterlink.drivers.modbus;

import io.meterlink.core.api.MeterId;

import java.time.Duration;
import java.util.List;

/**
 * Validated settings of one Modbus line (a serial bus with its slaves, or a TCP server/gateway).
 * Immutable.
 *
 * @param endpoint      human-readable line, e.g. {@code serial:/dev/ttyUSB0@9600} or {@code tcp:10.0.0.5:502}
 * @param framing       {@code rtu} (serial, or RTU over TCP to a serial server) or {@code tcp} (Modbus TCP)
 * @param baud          line speed (for RTU over TCP: the serial server's line speed, for timing)
 * @param parity        j2mod/jSerialComm parity code
 * @param stopBits      1 or 2
 * @param pollInterval  time between the starts of two poll cycles
 * @param timeoutMillis response timeout: wait for the first byte of an answer
 * @param retries       repetitions of a request that got no usable answer
 * @param meters        the slaves to read
 */
public record ModbusDriverConfig(String endpoint, String framing, int baud, int parity, int stopBits,
                                 Duration pollInterval, int timeoutMillis, int retries, List<Meter> meters) {
    public ModbusDriverConfig {
        meters = List.copyOf(meters);
    }

    /** One slave: its unit id on the line, its profile, and the meter id its readings carry. */
    public record Meter(int unit, MeterProfile profile, MeterId id, List<ReadBlock> blocks) {
        public Meter {
            blocks = List.copyOf(blocks);
            if (unit < 0 || unit > 255) throw new IllegalArgumentException("unit id must be 0..255");
        }

        public Meter(int unit, MeterProfile profile, MeterId id) {
            this(unit, profile, id, profile.blocks());
        }

        @Override public String toString() { return id + " (unit " + unit + ", " + profile.name() + ")"; }
    }
}
