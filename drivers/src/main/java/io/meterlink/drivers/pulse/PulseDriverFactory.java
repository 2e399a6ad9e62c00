package io.meterlink.drivers.pulse;

import io.meterlink.core.api.MeterId;
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
 * The counts live in {@code <state_dir>/pulse-<source>.db} (docs/pulse-coap.md). Stateless, thread-safe.
 */
public final class PulseDriverFactory implements DriverFactory {
    static final String TYPE = "pulse";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,40}");
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.-]+:[0-9]{1,5}");

    @Override public String type() { return TYPE; }

    @Override
    public DriverSpec configure(Settings s) {
        PulseDriverConfig config = read(s);
        if (config == null) return null;
        return context -> new PulseDriver(config, PulseLines.forProvider(config), context);
    }

    /** The validated configuration, or {@code null} when errors were recorded in {@code s}. */
    static PulseDriverConfig read(Settings s) {
        boolean ok = true;
        String provider = s.choice("provider", "gpiod", Set.of("gpiod", "mock"));
        Duration interval = s.duration("interval", Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofDays(1));
        Duration stuck = s.duration("stuck_after", Duration.ofMinutes(10), Duration.ZERO, Duration.ofDays(7));
        List<PulseInput> inputs = new ArrayList<>();
        Set<Integer> pins = new HashSet<>();
        Set<String> ids = new HashSet<>();
        List<Settings> sections = s.sections("inputs");
        if (sections.isEmpty()) {
            s.error("inputs", "at least one input is required");
            ok = false;
        }
        for (Settings in : sections) {
            PulseInput input = input(in, "mock".equals(provider));
            if (input == null) {
                ok = false;
            } else if (!pins.add(input.bcmPin())) {
                in.error("pin", "pin " + input.bcmPin() + " is used by another input");
                ok = false;
            } else if (!ids.add(input.meter().id())) {
                in.error("id", "id " + input.meter().id() + " is used by another input");
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
        String id = in.requiredString("id");
        if (id != null && !ID.matcher(id).matches()) {
            in.error("id", "must be 1 to 40 letters, digits, '.', '_' or '-'");
            ok = false;
        }
        int pin = in.integer("pin", -1, 0, 511);
        if (pin < 0) {
            in.error("pin", "required key is missing");
            ok = false;
        }
        String pull = in.choice("pull", "up", Set.of("up", "down", "off"));
        String edge = in.choice("edge", "falling", Set.of("falling", "rising"));
        Duration debounce = in.duration("debounce", Duration.ofMillis(25), Duration.ZERO, Duration.ofSeconds(1));
        BigDecimal ppu = decimal(in, "pulses_per_unit", null);
        if (ppu != null && ppu.signum() <= 0) {
            in.error("pulses_per_unit", "must be greater than 0");
            ok = false;
        } else if (ppu == null && !in.has("pulses_per_unit")) {
            in.error("pulses_per_unit", "required key is missing");
        }
        String unit = in.choice("unit", "kWh", PulseInput.UNITS);
        BigDecimal start = decimal(in, "start_value", BigDecimal.ZERO);
        if (start != null && start.signum() < 0) {
            in.error("start_value", "must be >= 0");
            ok = false;
        }
        String wire = in.string("wire", null);
        if (mock && wire == null) {
            in.error("wire", "required with provider mock (host:port of the simulator's pulse generator)");
            ok = false;
        } else if (!mock && wire != null) {
            in.error("wire", "only with provider mock");
            ok = false;
        } else if (wire != null && !HOST_PORT.matcher(wire).matches()) {
            in.error("wire", "must be host:port");
            ok = false;
        }
        in.finish();
        if (!ok || id == null || ppu == null || start == null || pull == null || edge == null || unit == null || debounce == null) return null;
        return new PulseInput(MeterId.of("pulse", "s0", id), pin, PulseInput.Pull.valueOf(pull.toUpperCase(Locale.ROOT)),
                edge.equals("falling"), debounce, ppu, unit, start, wire);
    }

    private static BigDecimal decimal(Settings in, String key, BigDecimal def) {
        String text = in.string(key, null);
        if (text == null) return def;
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            in.error(key, "expected a decimal number");
            return null;
        }
    }
}
