package io.meterlink.sim.modbus;

import io.meterlink.drivers.modbus.ProfileCatalog;
import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.sim.serial.SocatPty;
import io.meterlink.sim.testing.Executables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code mbpoll} (libmodbus, a client nobody here wrote) reading the simulator's virtual slaves: two
 * slaves on one RTU line (a socat pty, 9600 8E1) and the same two behind a Modbus TCP server. The
 * simulator's clock stands still, so the registers hold their start values: slave 1 (SDM630) voltage
 * L1 231.0 V as float32 and import energy 1000.0 kWh, slave 2 (ABB B23) voltage L1 2302 (0.1 V) as
 * uint32 and import energy 2000 (0.01 kWh). A read of an unmapped register gets exception 02.
 */
class MbpollInteropIT {
    private static final Pattern VALUE = Pattern.compile("^\\[(\\d+)]:\\s+(\\S+)", Pattern.MULTILINE);

    @TempDir
    Path dir;

    private static List<VirtualModbusMeter> meters() {
        Clock still = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        ProfileCatalog c = ProfileCatalog.shipped();
        return List.of(new VirtualModbusMeter(1, c.find("eastron-sdm630"), "m1", still, 0, List.of()),
                new VirtualModbusMeter(2, c.find("abb-b23"), "m2", still, 0, List.of()));
    }

    @Test
    void mbpollOverRtuPty_readsTwoSlavesOnOneLine() throws Exception {
        Path mbpoll = Executables.require("mbpoll");
        Executables.require("socat");
        try (SocatPty pty = SocatPty.start(dir, "rtu");
             ModbusRtuSlaves slaves = new ModbusRtuSlaves(new SerialTransport(pty.meterEnd().toString(), 9600, SerialTransport.Parity.EVEN), 9600, meters())) {
            List<String> rtu = List.of(mbpoll.toString(), "-m", "rtu", "-b", "9600", "-P", "even", "-o", "1");
            check(rtu, pty.gatewayEnd().toString());
        }
    }

    @Test
    void mbpollOverTcp_readsTwoSlavesBehindOneServer() throws Exception {
        Path mbpoll = Executables.require("mbpoll");
        try (ModbusTcpSlaves server = new ModbusTcpSlaves(0, meters())) {
            List<String> tcp = List.of(mbpoll.toString(), "-m", "tcp", "-p", Integer.toString(server.port()), "-o", "1");
            check(tcp, "127.0.0.1");
        }
    }

    private void check(List<String> base, String target) throws Exception {
        // slave 1, SDM630: input registers, float32 high word first, PDU addresses
        List<String> v = read(base, target, "-a", "1", "-t", "3:float", "-B", "-0", "-r", "0", "-c", "1");
        assertEquals(List.of("0=231"), v);
        v = read(base, target, "-a", "1", "-t", "3:float", "-B", "-0", "-r", "72", "-c", "1");
        assertEquals(List.of("72=1000"), v);
        // slave 2, ABB B23: holding registers, uint32 at 0x5B00, the low word of the uint64 at 0x5000
        v = read(base, target, "-a", "2", "-t", "4:int", "-B", "-0", "-r", "23296", "-c", "1");
        assertEquals(List.of("23296=2302"), v);
        v = read(base, target, "-a", "2", "-t", "4", "-0", "-r", "20480", "-c", "4");
        assertEquals(List.of("20480=0", "20481=0", "20482=0", "20483=2000"), v);
        // a register no profile value covers: the slave answers exception 02 (illegal data address)
        String out = run(base, target, "-a", "2", "-t", "4", "-0", "-r", "100", "-c", "1");
        assertTrue(out.toLowerCase().contains("illegal data address"), out);
    }

    private List<String> read(List<String> base, String target, String... args) throws Exception {
        String out = run(base, target, args);
        List<String> values = new ArrayList<>();
        Matcher m = VALUE.matcher(out);
        while (m.find()) values.add(m.group(1) + "=" + m.group(2));
        assertFalse(values.isEmpty(), out);
        return values;
    }

    private String run(List<String> base, String target, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(List.of(args));
        cmd.add("-1");
        cmd.add(target);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "mbpoll hung: " + cmd);
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
