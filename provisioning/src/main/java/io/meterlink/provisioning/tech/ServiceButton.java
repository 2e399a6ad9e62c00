package io.meterlink.provisioning.tech;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeEvent;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * The gateway's service button: a GPIO input read through Pi4J v2. Each press (the transition to
 * the pressed level) runs {@code onPress}, which opens the technician endpoint. On the gateway the
 * context brings the board's GPIO provider; tests use Pi4J's mock provider. Thread-safe.
 */
public final class ServiceButton implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceButton.class);
    /** Debounce of the input in microseconds (Pi4J's unit): contacts bounce for a few ms. */
    static final long DEBOUNCE_US = 20_000;

    private final DigitalInput input;
    private final DigitalState pressed;
    private final DigitalStateChangeListener listener;

    /**
     * Listens on an input the caller created.
     *
     * @param activeLow whether pressing pulls the line low (button to ground with a pull-up, the usual wiring)
     */
    public ServiceButton(DigitalInput input, boolean activeLow, Runnable onPress) {
        this.input = Objects.requireNonNull(input, "input");
        Objects.requireNonNull(onPress, "onPress");
        this.pressed = activeLow ? DigitalState.LOW : DigitalState.HIGH;
        this.listener = new DigitalStateChangeListener() {
            @Override public void onDigitalStateChange(@SuppressWarnings("rawtypes") DigitalStateChangeEvent event) {
                if (event.state() != pressed) return;
                LOG.info("Service button pressed");
                try {
                    onPress.run();
                } catch (RuntimeException e) {
                    LOG.error("Service button: opening the technician endpoint failed", e);
                }
            }
        };
        input.addListener(listener);
    }

    /**
     * Creates the input on BCM pin {@code bcmPin} (pull-up when active low, pull-down otherwise,
     * debounced) with the context's default digital input provider, and listens on it.
     */
    public static ServiceButton attach(Context pi4j, int bcmPin, boolean activeLow, Runnable onPress) {
        DigitalInput input = pi4j.create(DigitalInput.newConfigBuilder(pi4j)
                .id("meterlink-service-button")
                .name("Meterlink service button")
                .address(bcmPin)
                .pull(activeLow ? PullResistance.PULL_UP : PullResistance.PULL_DOWN)
                .debounce(DEBOUNCE_US));
        return new ServiceButton(input, activeLow, onPress);
    }

    @Override public void close() {
        input.removeListener(listener);
    }
}
