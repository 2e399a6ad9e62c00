package io.meterlink.drivers.modbus;

import java.util.List;

/**
 * One request of a poll: {@code count} registers (or bits) from {@code start} with one function
 * code, covering {@code values}. Immutable.
 */
public record ReadBlock(int function, int start, int count, List<RegisterValue> values) {
    public ReadBlock {
        values = List.copyOf(values);
        if (count < 1) throw new IllegalArgumentException("a block reads at least one register");
    }
}
