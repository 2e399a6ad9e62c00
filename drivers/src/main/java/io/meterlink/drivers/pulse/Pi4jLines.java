package io.meterlink.drivers.pulse;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeEvent;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * Pulse inputs through Pi4J v2: the gpiod provider ({@code /dev/gpiochip*}) on a Raspberry Pi, or
 * Pi4J's mock provider whose inputs the simulator drives over a {@link PulseWire}. Debouncing is
 * ours ({@link Debouncer}), not the provider's: the mock provider has none and the same code runs on both.
 * Thread-safe.
 */
final class Pi4jLines implements PulseLines {
    private final PulseDriverConfig config;
    private final List<PulseWire> wires = new ArrayList<>();
    private final List<DigitalInput> inputs = new ArrayList<>();
    private Context pi4j;

    Pi4jLines(PulseDriverConfig config) {
        this.config = config;
    }

    @Override
    public synchronized boolean[] open(Edges edges, IntToLongFunction committedSeq) throws IOException {
        boolean mock = config.provider().equals("mock");
        try {
            pi4j = mock ? Pi4J.newContextBuilder().add(MockDigitalInputProvider.newInstance()).build() : Pi4J.newAutoContext();
            boolean[] levels = new boolean[config.inputs().size()];
            for (int i = 0; i < levels.length; i++) {
                PulseInput in = config.inputs().get(i);
                DigitalInput input = pi4j.create(DigitalInput.newConfigBuilder(pi4j)
                        .id("meterlink-pulse-" + in.bcmPin())
                        .name("Meterlink pulse input " + in.meter())
                        .address(in.bcmPin())
                        .pull(switch (in.pull()) {
                            case UP -> PullResistance.PULL_UP;
                            case DOWN -> PullResistance.PULL_DOWN;
                            case OFF -> PullResistance.OFF;
                        }));
                inputs.add(input);
                DigitalState activeState = in.activeLow() ? DigitalState.LOW : DigitalState.HIGH;
                final int index = i;
                final PulseWire wire = mock ? new PulseWire(in.wire(), (MockDigitalInput) input, activeState, index, committedSeq) : null;
                if (mock) {
                    // the wire's own idle level first: an active-low input idles high
                    ((MockDigitalInput) input).mockState(in.activeLow() ? DigitalState.HIGH : DigitalState.LOW);
                }
                input.addListener(new DigitalStateChangeListener() {
                    @Override public void onDigitalStateChange(@SuppressWarnings("rawtypes") DigitalStateChangeEvent event) {
                        edges.edge(index, event.state() == activeState, wire == null ? System.nanoTime() : wire.currentTime(),
                                wire == null ? 0 : wire.currentTag());
                    }
                });
                levels[i] = input.state() == activeState;
                if (wire != null) wires.add(wire);
            }
            for (PulseWire w : wires) w.start();
            return levels;
        } catch (RuntimeException e) {
            // Pi4J reports a missing provider or a busy line as an unchecked exception
            close();
            throw new IOException("GPIO (" + config.provider() + ") unavailable: " + e.getMessage(), e);
        }
    }

    @Override public long settleLagNanos() {
        return config.provider().equals("mock") ? PulseWire.LAG_NS : 0;
    }

    @Override public void committed(int input, long wireSeq) {
        for (PulseWire w : wires) {
            if (w.input() == input) w.acknowledge(wireSeq);
        }
    }

    @Override public synchronized void close() {
        for (PulseWire w : wires) w.close();
        wires.clear();
        inputs.clear();
        if (pi4j != null) {
            try {
                pi4j.shutdown();
            } catch (RuntimeException ignored) {
                // shutting down: the lines are released with the context either way
            }
            pi4j = null;
        }
    }
}
