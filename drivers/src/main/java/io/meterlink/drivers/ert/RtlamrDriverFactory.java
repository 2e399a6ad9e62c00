package io.meterlink.drivers.ert;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.drivers.transport.LineEndpoint;
import io.meterlink.drivers.transport.Transport;

import java.util.List;
import java.util.function.Supplier;

/**
 * 900 MHz meters through an existing rtlamr: its {@code -format=json} output, read from a child
 * process or a TCP stream; same readings and ids as {@code driver: ert}.
 *
 * <pre>
 * driver: rtlamr
 * transport: command          # command | tcp
 * command: [rtlamr, -format=json, -server=127.0.0.1:1234, -msgtype=scm,scm+,idm,r900]
 * host: 127.0.0.1             # tcp: a stream of rtlamr JSON lines
 * tcp_port: 9999
 * dedup_window: 60s
 * multipliers: {electric: 1000, gas: 1, water: 1}
 * meters: [{id: ert:7:12345678, multiplier: 10}]
 * </pre>
 * Stateless, thread-safe.
 */
public final class RtlamrDriverFactory implements DriverFactory {
    @Override public String type() { return "rtlamr"; }

    @Override public List<KeyGroup> keys() { return List.of(ErtKeys.RTLAMR); }

    @Override
    public DriverSpec configure(Settings s) {
        boolean ok = true;
        String kind = s.get(ErtKeys.RTLAMR_TRANSPORT);
        Supplier<Transport> transport;
        if ("tcp".equals(kind)) {
            LineEndpoint line = LineEndpoint.read(s, kind, 0, (device, baud) -> {
                throw new IllegalStateException("rtlamr has no serial line");
            });
            ok &= line.ok();
            transport = line.transport();
        } else {
            List<String> command = s.get(ErtKeys.RTLAMR_COMMAND);
            if (command.isEmpty()) {
                s.error(ErtKeys.RTLAMR_COMMAND, "required for transport command, e.g. [rtlamr, -format=json]");
                ok = false;
            }
            transport = () -> new ProcessTransport(command);
        }
        ErtMappingSettings mapping = ErtMappingSettings.read(s);
        if (mapping == null || !ok) return null;
        return context -> new RtlamrDriver(mapping, transport.get(), context);
    }
}
