package io.meterlink.drivers.pulse;

import java.time.Duration;
import java.util.List;

/**
 * A validated {@code pulse} source. Immutable.
 *
 * @param provider   {@code gpiod} or {@code mock}
 * @param interval   time between read-outs of the registers
 * @param stuckAfter an input active for longer raises {@code input_stuck}; zero = never
 * @param inputs     the inputs, each a meter
 */
record PulseDriverConfig(String provider, Duration interval, Duration stuckAfter, List<PulseInput> inputs) {
    PulseDriverConfig {
        inputs = List.copyOf(inputs);
    }
}
