package io.meterlink.drivers.pulse;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * S0 / reed-contact pulse counters on GPIO inputs, read through Pi4J v2.
 *
 * <pre>
 * driver: pulse
 * provider: gpiod          # gpiod (Raspberry Pi, /dev/gpiochip*) | mock (Pi4J's mock provider, driven by the simulator)
 * interval: 1m             # how often each input's register (and power/flow over the interval) is read out
 * stuck_after: 10m         # an input held active longer raises input_stuck; 0 = never (reed contacts that stop closed)
 * inputs:
 *   - id: main             # meter id pulse:s0:main
 *     pin: 17              # BCM number
 *     pull: up             # up | down | off
 *     edge: falling        # the pulse's leading edge: falling (open collector to ground) | rising
 *     debounce: 25ms       # a level counts once it held this long (S0 pulses and pauses are at least 30 ms)
 *     pulses_per_unit: 1000
 *     unit: kWh            # kWh | Wh | m3 | l
 *     start_value: 0       # the meter's display when counting began, in unit
 *     wire: 127.0.0.1:7070 # provider mock only: the simulator's pulse generator
 * </pre>
 * The keys are declared in {@link PulseKeys}. The counts live in {@code <state_dir>/pulse-<source>.db}
 * (docs/pulse-coap.md). Stateless, thread-safe.
 */
public final class PulseDriverFactory implements DriverFactory {
    static final String TYPE = "pulse";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,40}");
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.-]+:[0-9]{1,5}");

    @Override public String type() { return TYPE; }

    @Override public List<KeyGroup> keys() { return List.of(PulseKeys.GROUP); }

    @Override
    public DriverSpec configure(Settings s) {
        PulseDriverConfig config = read(s);
        if (config == null) return null;
        return context -> new PulseDriver(config, PulseLines.forProvider(config), context);
    }

    /** The validated configuration, or {@code null} when errors were recorded in {@code s}. */
    static PulseDriverConfig read(Settings s) {
        boolean ok = true;
        String provider = s.get(PulseKeys.PROVIDER);
        Duration interval = s.get(PulseKeys.INTERVAL);
        Duration stuck = s.get(PulseKeys.STUCK_AFTER);
        List<PulseInput> inputs = new ArrayList<>();
        Set<Integer> pins = new HashSet<>();
        Set<String> ids = new HashSet<>();
        List<Settings> sections = s.get(PulseKeys.INPUTS);
        if (sections.isEmpty()) {
            s.error(PulseKeys.INPUTS, "at least one input is required");
            ok = false;
        }
        for (Settings in : sections) {
            PulseInput input = input(in, "mock".equals(provider));
            if (input == null) {
                ok = false;
            } else if (!pins.add(input.bcmPin())) {
                in.error(PulseKeys.PIN, "pin " + input.bcmPin() + " is used by another input");
                ok = false;
            } else if (!ids.add(input.meter().id())) {
                in.error(PulseKeys.ID, "id " + input.meter().id() + " is used by another input");
                ok = false;
            } else {
                inputs.add(input);
            }
        }
        if (!ok || provider == null || interval == null || stuck == null) return null;
        return new PulseDriverConfig(provider, interval, stuck, inputs);
    }

    private static PulseInput input(Settings in, boolean mock) {
        boolean ok = true;
        String id = in.get(PulseKeys.ID);
        if (id != null && !ID.matcher(id).matches()) {
            in.error(PulseKeys.ID, "must be 1 to 40 letters, digits, '.', '_' or '-'");
            ok = false;
        }
        Integer pin = in.get(PulseKeys.PIN);
        if (!in.has(PulseKeys.PIN)) {
            in.error(PulseKeys.PIN, "required key is missing");
            ok = false;
        }
        String pull = in.get(PulseKeys.PULL);
        String edge = in.get(PulseKeys.EDGE);
        Duration debounce = in.get(PulseKeys.DEBOUNCE);
        BigDecimal ppu = in.get(PulseKeys.PULSES_PER_UNIT);
        if (!in.has(PulseKeys.PULSES_PER_UNIT)) in.error(PulseKeys.PULSES_PER_UNIT, "required key is missing");
        String unit = in.get(PulseKeys.UNIT);
        BigDecimal start = in.get(PulseKeys.START_VALUE);
        String wire = in.get(PulseKeys.WIRE);
        if (mock && wire == null) {
            in.error(PulseKeys.WIRE, "required with provider mock (host:port of the simulator's pulse generator)");
            ok = false;
        } else if (!mock && wire != null) {
            in.error(PulseKeys.WIRE, "only with provider mock");
            ok = false;
        } else if (wire != null && !HOST_PORT.matcher(wire).matches()) {
            in.error(PulseKeys.WIRE, "must be host:port");
            ok = false;
        }
        in.finish();
        if (!ok || id == null || pin == null || ppu == null || start == null || pull == null || edge == null || unit == null
                || debounce == null) return null;
        return new PulseInput(MeterId.of("pulse", "s0", id), pin, PulseInput.Pull.valueOf(pull.toUpperCase(Locale.ROOT)),
                edge.equals("falling"), debounce, ppu, unit, start, wire);
    }
}
