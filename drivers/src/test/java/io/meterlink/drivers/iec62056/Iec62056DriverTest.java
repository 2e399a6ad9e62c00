package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.drivers.transport.Transport;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

class Iec62056DriverTest {
    /** An in-memory mode C meter at address 12345678: identification with baud character 5, the readout after ACK 0 Z 0. */
    static class ModeCMeter implements Transport {
        final List<Integer> speeds = new CopyOnWriteArrayList<>();
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final ArrayDeque<Byte> out = new ArrayDeque<>();
        int badBccLeft;
        boolean open;
        /** Mode B: the identification's baud character is a letter and the readout follows at once, without acknowledgement. */
        boolean modeB;
        /** The identification at 12345678 lacks {@code \\2}: the meter offers no mode E. */
        boolean withoutHdlc;
        static final String PASSWORD = "s3cret";
        boolean loggedIn;
        final List<String> passwordsSeen = new CopyOnWriteArrayList<>();

        static byte[] readout(String data, boolean badBcc) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.write(0x02); // STX
            byte[] body = (data + "!\r\n").getBytes(StandardCharsets.US_ASCII);
            o.writeBytes(body);
            o.write(0x03); // ETX
            int bcc = 0x03;
            for (byte b : body) bcc ^= b; // BCC: XOR from after STX up to ETX (IEC 62056-21 §6.3.12)
            o.write(badBcc ? bcc ^ 0x10 : bcc);
            return o.toByteArray();
        }

        @Override public void open() { open = true; }
        @Override public boolean isOpen() { return open; }
        @Override public void setBaud(int baud) { speeds.add(baud); }

        @Override
        public synchronized void write(byte[] b) {
            String s = new String(b, StandardCharsets.US_ASCII);
            requests.add(s);
            if (s.equals("/?12345678!\r\n") && modeB) {
                push("/ABCE\\2ZMD3104407\r\n".getBytes(StandardCharsets.US_ASCII));
                push(readout("0.0.0(12345678)\r\n1.8.0(012345.678*kWh)\r\n2.8.0(000001.5*kWh)\r\n32.7(231.4*V)", false));
            } else if (s.equals("/?1!\r\n")) push("/ABC5\\2\r\n".getBytes(StandardCharsets.US_ASCII)); // mode E, no identification text
            else if (s.equals("/?12345678!\r\n")) push((withoutHdlc ? "/ABC5ZMD3104407\r\n" : "/ABC5\\2ZMD3104407\r\n").getBytes(StandardCharsets.US_ASCII));
            else if (s.equals("\u0006051\r\n")) push(Iec62056Driver.command('P', '0', "(12345678)".getBytes(StandardCharsets.US_ASCII)));
            else if (s.startsWith("\u0001P1\u0002")) {
                passwordsSeen.add(s.substring(4, s.length() - 2));
                if (Iec62056Driver.bccOk(b) && s.equals(new String(Iec62056Driver.command('P', '1', ("(" + PASSWORD + ")").getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII))) {
                    push(new byte[] {0x06});
                    loggedIn = true;
                } else push(new byte[] {0x15}); // NAK
            } else if (s.startsWith("\u0001R1\u0002") && loggedIn && Iec62056Driver.bccOk(b)) {
                String reg = s.substring(4, s.indexOf('('));
                String v = switch (reg) {
                    case "1.8.0" -> "1.8.0(012345.678*kWh)";
                    case "32.7.0" -> "32.7.0(231.4*V)";
                    case "0.0.0" -> "0.0.0(12345678)";
                    case "0.9.9" -> null; // no answer
                    default -> "(ER04)";
                };
                if (v == null) return;
                byte[] body = v.getBytes(StandardCharsets.US_ASCII);
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                o.write(0x02);
                o.writeBytes(body);
                o.write(0x03);
                int bcc = 0x03;
                for (byte x : body) bcc ^= x;
                o.write(bcc);
                push(o.toByteArray());
            } else if (s.startsWith("\u0001B0")) loggedIn = false;
            else if (s.equals("\u0006050\r\n")) push(readout("0.0.0(12345678)\r\n1.8.0(012345.678*kWh)\r\n2.8.0(000001.5*kWh)\r\n32.7(231.4*V)", badBccLeft-- > 0));
        }

        private void push(byte[] b) { for (byte x : b) out.add(x); }

        @Override
        public int read(byte[] buf, int timeoutMillis) {
            synchronized (this) {
                if (!out.isEmpty()) {
                    int n = 0;
                    while (n < buf.length && !out.isEmpty()) buf[n++] = out.poll();
                    return n;
                }
            }
            try {
                Thread.sleep(Math.min(timeoutMillis, 20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }

        @Override public synchronized void drainInput() { out.clear(); }
        @Override public String describe() { return "mode C meter"; }
        @Override public void close() { open = false; }
    }

    private static Iec62056DriverConfig config(List<String> addresses, int retries) {
        return new ConfigBuilder().addresses(addresses.toArray(String[]::new)).retries(retries).build();
    }

    @Test
    void modeC_signOnAckAndBaudSwitch_giveTheReadout_silentAddressReported() throws Exception {
        ModeCMeter line = new ModeCMeter();
        Recording rec = new Recording(Clock.systemUTC());
        Iec62056Driver d = new Iec62056Driver(config(List.of("12345678", "999"), 0), new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime);
        d.poll("12345678");
        d.poll("999");
        assertEquals(List.of("/?12345678!\r\n", "\u0006050\r\n", "/?999!\r\n"), line.requests);
        assertEquals(List.of(300, 9600, 300), line.speeds); // sign-on at 300, the switch to Z = 5, back to 300 for the next
        MeterId m = MeterId.of("iec62056:ABC:12345678");
        assertEquals(List.of(m), rec.heard);
        assertEquals(List.of("999"), rec.silent);
        List<Reading> rs = rec.readings;
        assertEquals(3, rs.size(), rs::toString);
        assertEquals("12345678", rs.get(0).value().toPlainString()); // 012345.678 kWh in Wh
        assertEquals(Quantity.ENERGY, rs.get(0).quantity());
        assertEquals(2, rs.get(1).subunit()); // export
        assertEquals(Quantity.VOLTAGE, rs.get(2).quantity());
    }

    @Test
    void badBcc_isCountedAndRetried() throws Exception {
        ModeCMeter line = new ModeCMeter();
        line.badBccLeft = 1;
        Recording rec = new Recording(Clock.systemUTC());
        new Iec62056Driver(config(List.of("12345678"), 1), new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime).poll("12345678");
        assertEquals(List.of(Kind.CHECKSUM), rec.bad);
        assertEquals(3, rec.readings.size());
        assertEquals(List.of(), rec.silent);
    }

    @Test
    void wakeUp_sendsNulsForAbout2Seconds_beforeTheSignOn() throws Exception {
        ModeCMeter line = new ModeCMeter();
        Recording rec = new Recording(Clock.systemUTC());
        Iec62056DriverConfig wake = new ConfigBuilder().wakeUp().build();
        new Iec62056Driver(wake, new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime).poll("12345678");
        String first = line.requests.get(0);
        assertEquals(66, first.length(), "2.2 s of characters at 300 baud, 10 bits each"); // IEC 62056-21 §6.4.5: 2.1–2.3 s
        assertTrue(first.chars().allMatch(c -> c == 0));
        assertEquals("/?12345678!\r\n", line.requests.get(1));
        assertEquals(3, rec.readings.size());
    }

    @Test
    void modeB_switchesToTheMeterSpeedWithoutAcknowledgement() throws Exception {
        ModeCMeter line = new ModeCMeter();
        line.modeB = true;
        Recording rec = new Recording(Clock.systemUTC());
        new Iec62056Driver(config(List.of("12345678"), 0), new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime).poll("12345678");
        assertEquals(List.of("/?12345678!\r\n"), line.requests); // no ACK in mode B
        assertEquals(List.of(300, 9600), line.speeds); // E = 9600 baud (IEC 62056-21 §6.3.14)
        assertEquals(3, rec.readings.size());
    }

    @Test
    void tcpLine_neverSwitchesSpeed() throws Exception {
        ModeCMeter line = new ModeCMeter();
        Recording rec = new Recording(Clock.systemUTC());
        Iec62056DriverConfig tcp = new ConfigBuilder().tcp().build();
        new Iec62056Driver(tcp, new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime).poll("12345678");
        assertEquals(List.of(), line.speeds);
        assertEquals(3, rec.readings.size());
    }

    private static Iec62056DriverConfig programming(String password, List<String> registers) {
        return new ConfigBuilder().password(password, registers).build();
    }

    @Test
    void password_programmingMode_readsEachRegister_andEndsWithABreak() throws Exception {
        ModeCMeter line = new ModeCMeter();
        Recording rec = new Recording(Clock.systemUTC());
        new Iec62056Driver(programming(ModeCMeter.PASSWORD, List.of("0.0.0", "1.8.0", "99.9.9", "32.7.0")), new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime)
                .poll("12345678");
        assertEquals("\u0006051\r\n", line.requests.get(1)); // option select: programming mode
        assertTrue(line.requests.get(line.requests.size() - 1).startsWith("\u0001B0\u0003"), line.requests::toString); // the break
        assertEquals(List.of("(" + ModeCMeter.PASSWORD + ")"), line.passwordsSeen);
        assertEquals(2, rec.readings.size(), rec::toString);
        assertEquals("12345678", rec.readings.get(0).value().toPlainString());
        assertEquals(Quantity.VOLTAGE, rec.readings.get(1).quantity());
        assertEquals(List.of(MeterId.of("iec62056:ABC:12345678")), rec.heard);
        assertEquals(List.of(Kind.UNSUPPORTED), rec.bad); // the meter has no 99.9.9 (ER04): counted, the others still read
    }

    /** A failure after a register the meter lacks is still the attempt's failure: counted, no half readout delivered (it was lost behind the first, unsupported, one). */
    @Test
    void password_aSilentRegisterAfterAnUnsupportedOne_isCounted_andGivesNoReading() throws Exception {
        ModeCMeter line = new ModeCMeter();
        Recording rec = new Recording(Clock.systemUTC());
        new Iec62056Driver(programming(ModeCMeter.PASSWORD, List.of("1.8.0", "99.9.9", "0.9.9")), new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime)
                .poll("12345678");
        assertEquals(List.of(Kind.UNSUPPORTED, Kind.TRUNCATED), rec.bad);
        assertEquals(List.of(), rec.readings);
        assertTrue(line.requests.get(line.requests.size() - 1).startsWith("\u0001B0\u0003"), "the break still ends the session");
    }

    @Test
    void wrongPassword_isCountedAsAuthentication_andGivesNoReading() throws Exception {
        ModeCMeter line = new ModeCMeter();
        Recording rec = new Recording(Clock.systemUTC());
        new Iec62056Driver(programming("wrong", List.of("1.8.0")), new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime).poll("12345678");
        assertEquals(List.of(Kind.AUTHENTICATION), rec.bad);
        assertEquals(List.of(), rec.readings);
        assertTrue(rec.toString().indexOf("wrong") < 0 && line.describe().indexOf("wrong") < 0);
    }

    @Test
    void strictTiming_refusesAnIdentificationSoonerThanTr_lenientTimingReads() throws Exception {
        ModeCMeter line = new ModeCMeter(); // answers at once, well before t_r = 200 ms
        Recording rec = new Recording(Clock.systemUTC());
        Iec62056DriverConfig strict = new ConfigBuilder().strictTiming().build();
        new Iec62056Driver(strict, new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime).poll("12345678");
        assertEquals(List.of(Kind.OTHER), rec.bad);
        assertEquals(List.of(), rec.readings);
        Recording lenient = new Recording(Clock.systemUTC());
        new Iec62056Driver(config(List.of("12345678"), 0), new ObisReadings(ZoneOffset.UTC), new ModeCMeter(), lenient, System::nanoTime).poll("12345678");
        assertEquals(3, lenient.readings.size());
    }

    @Test
    void factory_passwordFile_mustBeOwnerOnly_andNeedsRegisters() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("iecpw");
        java.nio.file.Path f = dir.resolve("pw");
        java.nio.file.Files.writeString(f, "# meter password\nabc123\n");
        java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        MapSettings open = new MapSettings(Map.of("port", "/dev/ttyUSB0", "password_file", f.toString(), "registers", List.of("1.8.0")));
        assertNull(new Iec62056DriverFactory().configure(open));
        assertTrue(open.errors().stream().anyMatch(e -> e.contains("chmod 600")), open.errors()::toString);
        java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertNotNull(new Iec62056DriverFactory().configure(new MapSettings(Map.of("port", "/dev/ttyUSB0", "password_file", f.toString(), "registers", List.of("1.8.0")))));
        MapSettings noRegisters = new MapSettings(Map.of("port", "/dev/ttyUSB0", "password_file", f.toString()));
        assertNull(new Iec62056DriverFactory().configure(noRegisters));
        assertTrue(noRegisters.errors().stream().noneMatch(e -> e.contains("abc123")), noRegisters.errors()::toString);
    }

    @Test
    void factory_readsMetersAndModes_refusesBadAddresses() {
        assertNotNull(new Iec62056DriverFactory().configure(new MapSettings(Map.of("port", "/dev/ttyUSB0", "meters", List.of(Map.of("address", "12345678"))))));
        assertNotNull(new Iec62056DriverFactory().configure(new MapSettings(Map.of("port", "/dev/ttyUSB0", "mode", "d"))));
        MapSettings bad = new MapSettings(Map.of("port", "/dev/ttyUSB0", "meters", List.of(Map.of("address", "12!34"))));
        assertNull(new Iec62056DriverFactory().configure(bad));
        assertTrue(bad.errors().stream().anyMatch(e -> e.contains("address")), bad.errors()::toString);
    }

    @Test
    void factory_modeE_readsObjectsAndAddresses_refusesWhatDoesNotFit() {
        assertNotNull(new Iec62056DriverFactory().configure(new MapSettings(Map.of("port", "/dev/ttyUSB0", "mode", "e"))), "default objects");
        assertNotNull(new Iec62056DriverFactory().configure(new MapSettings(Map.of("port", "/dev/ttyUSB0", "mode", "e",
                "objects", List.of("1-0:1.8.0", "4/1-0:1.6.0", "8/0-0:1.0.0"), "server_address", 1, "physical_address", 0x3FF0, "client_address", 32))));
        Map<Map<String, Object>, String> refused = Map.of(
                Map.of("mode", "e", "objects", List.of("1.8.0")), "objects",
                Map.of("mode", "e", "objects", List.of("7/1-0:1.8.0")), "objects",
                Map.of("mode", "e", "server_address", 200), "server_address",
                Map.of("mode", "e", "password", "pw", "registers", List.of("1.8.0")), "registers",
                Map.of("objects", List.of("1-0:1.8.0")), "objects");
        refused.forEach((extra, key) -> {
            Map<String, Object> m = new java.util.HashMap<>(extra);
            m.put("port", "/dev/ttyUSB0");
            MapSettings s = new MapSettings(m);
            assertNull(new Iec62056DriverFactory().configure(s), extra::toString);
            assertTrue(s.errors().stream().anyMatch(e -> e.contains(key)), s.errors()::toString);
        });
    }

    @Test
    void modeE_acknowledgesHdlc_aSilentHdlcPeerAndAShortIdentification_areCountedNotThrown() throws Exception {
        ModeCMeter line = new ModeCMeter(); // answers no HDLC frame
        Recording rec = new Recording(Clock.systemUTC());
        var e = new Iec62056DriverConfig.ModeE(List.of(io.meterlink.drivers.iec62056.dlms.CosemObject.parse("1-0:1.8.0")),
                io.meterlink.drivers.iec62056.hdlc.HdlcAddress.of(1), io.meterlink.drivers.iec62056.hdlc.HdlcAddress.of(16), 128);
        Iec62056DriverConfig c = new ConfigBuilder().addresses("1").modeE(e).build();
        new Iec62056Driver(c, new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime).poll("1");
        assertEquals("\u0006252\r\n", line.requests.get(1)); // ACK 2 Z 2: HDLC at Z = 5 (9600)
        assertEquals(0x7E, line.requests.get(2).charAt(0)); // then an HDLC frame (SNRM)
        assertEquals(List.of(Kind.TRUNCATED), rec.bad); // no UA: the session times out
        assertEquals(List.of(), rec.readings);
    }

    @Test
    void modeE_withAPassword_aMeterWithoutHdlc_isReadByItsDataReadout_thePasswordNeverSent() throws Exception {
        ModeCMeter line = new ModeCMeter();
        line.withoutHdlc = true;
        Recording rec = new Recording(Clock.systemUTC());
        var e = new Iec62056DriverConfig.ModeE(List.of(io.meterlink.drivers.iec62056.dlms.CosemObject.parse("1-0:1.8.0")),
                io.meterlink.drivers.iec62056.hdlc.HdlcAddress.of(1), io.meterlink.drivers.iec62056.hdlc.HdlcAddress.of(16), 128);
        Iec62056DriverConfig c = new ConfigBuilder().password(ModeCMeter.PASSWORD, List.of()).modeE(e).build();
        new Iec62056Driver(c, new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime).poll("12345678");
        assertEquals("\u0006050\r\n", line.requests.get(1)); // data readout, not programming mode (ACK 0 Z 1)
        assertTrue(line.requests.stream().noneMatch(r -> r.startsWith("\u0001P1")), line.requests::toString);
        assertEquals(List.of(), line.passwordsSeen);
        assertEquals(3, rec.readings.size(), rec::toString);
    }

    /** A transport's unchecked failure in the HDLC session (on write or on read) is a line failure for reopen and back-off, not the meter's bad input. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"write", "read"})
    void modeE_aTransportFaultInTheSession_isALineFailure_notCountedAsBadInput(String on) {
        ModeCMeter line = new ModeCMeter() {
            boolean hdlc;

            @Override public synchronized void write(byte[] b) {
                if (b.length > 0 && b[0] == 0x7E) {
                    hdlc = true;
                    if (on.equals("write")) throw new IllegalStateException("serial port vanished");
                }
                super.write(b);
            }

            @Override public int read(byte[] buf, int timeoutMillis) {
                if (hdlc && on.equals("read")) throw new IllegalStateException("serial port vanished");
                return super.read(buf, timeoutMillis);
            }
        };
        Recording rec = new Recording(Clock.systemUTC());
        var e = new Iec62056DriverConfig.ModeE(List.of(io.meterlink.drivers.iec62056.dlms.CosemObject.parse("1-0:1.8.0")),
                io.meterlink.drivers.iec62056.hdlc.HdlcAddress.of(1), io.meterlink.drivers.iec62056.hdlc.HdlcAddress.of(16), 128);
        Iec62056DriverConfig c = new ConfigBuilder().addresses("1").modeE(e).build();
        java.io.IOException x = assertThrows(java.io.IOException.class, () -> new Iec62056Driver(c, new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime).poll("1"));
        assertInstanceOf(IllegalStateException.class, x.getCause());
        assertEquals(List.of(), rec.bad, "not the meter's bad input");
        assertEquals(List.of(), rec.readings);
    }

    /**
     * A mode C meter whose line fails with an unchecked exception ({@code IllegalStateException}, as jSerialComm's
     * port that vanished or a socket reset wrapped unchecked) {@code faults} times: on the write of the sign-on, or on
     * the read of the data message after the acknowledgement.
     */
    static final class FailingLine extends ModeCMeter {
        final String on;
        final java.util.concurrent.atomic.AtomicInteger faults;
        volatile boolean acknowledged;

        FailingLine(String on, int faults) {
            this.on = on;
            this.faults = new java.util.concurrent.atomic.AtomicInteger(faults);
        }

        @Override public synchronized void write(byte[] b) {
            String s = new String(b, StandardCharsets.US_ASCII);
            if (on.equals("write") && s.startsWith("/?") && faults.getAndDecrement() > 0) throw new IllegalStateException("serial port vanished");
            acknowledged = s.startsWith("\u0006");
            super.write(b);
        }

        @Override public int read(byte[] buf, int timeoutMillis) {
            if (on.equals("read") && acknowledged && faults.getAndDecrement() > 0) throw new IllegalStateException("connection reset");
            return super.read(buf, timeoutMillis);
        }
    }

    /** Outside mode E too, a transport's unchecked failure is a line failure (IOException: reopen and back-off), not the meter's bad input. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"write", "read"})
    void modeC_aTransportFault_isALineFailure_notCountedAsBadInput(String on) {
        FailingLine line = new FailingLine(on, Integer.MAX_VALUE);
        Recording rec = new Recording(Clock.systemUTC());
        Iec62056Driver d = new Iec62056Driver(config(List.of("12345678"), 2), new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime);
        java.io.IOException x = assertThrows(java.io.IOException.class, () -> d.poll("12345678"));
        assertInstanceOf(IllegalStateException.class, x.getCause());
        assertEquals(List.of(), rec.bad, "not the meter's bad input");
        assertEquals(List.of(), rec.silent, "not a silent meter either");
        assertEquals(List.of(), rec.readings);
    }

    /** The running driver takes a transport's unchecked failure as a line failure: reported, the line reopened, and the poll cycle goes on to the readout. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"write", "read"})
    void running_aTransportFault_reopensTheLine_andThePollCycleGoesOn(String on) throws Exception {
        FailingLine line = new FailingLine(on, 1);
        Recording rec = new Recording(Clock.systemUTC());
        Iec62056Driver d = new Iec62056Driver(config(List.of("12345678"), 0), new ObisReadings(ZoneOffset.UTC), line, rec, System::nanoTime);
        d.start();
        try {
            io.meterlink.drivers.testing.Await.until(() -> !rec.readings.isEmpty(), "the readout after the line failure", rec);
        } finally {
            d.close();
        }
        assertEquals(1, rec.transportErrors.size(), rec::toString);
        assertTrue(rec.transportErrors.get(0).contains(on.equals("write") ? "serial port vanished" : "connection reset"), rec::toString);
        assertTrue(rec.transportErrors.stream().noneMatch(m -> m.startsWith("driver stopped")), rec::toString);
        assertEquals(List.of(), rec.bad);
        assertEquals(3, rec.readings.size(), rec::toString);
    }

    /**
     * A hostile meter on a simulated clock: after a request in {@code trickleAfter} it trickles, each read taking {@code gapMs} (just inside the response timeout) and bringing one byte of it, over
     * and over; answers queued by {@link ModeCMeter} come at once, and silence takes a read's whole timeout. No
     * real waiting on the line; a driver that never gives up is stopped after {@link #MAX_READS} reads.
     */
    static final class TricklingMeter extends ModeCMeter {
        static final int MAX_READS = 100_000;
        final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        final long gapMs;
        final Map<String, String> trickleAfter;
        String trickle;
        int at, reads, trickled;
        long trickleStart;

        /** @param trickleAfter the request after which the meter trickles (the first time it comes), and what */
        TricklingMeter(long gapMs, Map<String, String> trickleAfter) {
            this.gapMs = gapMs;
            this.trickleAfter = new java.util.HashMap<>(trickleAfter);
        }

        @Override public synchronized void write(byte[] b) {
            String request = new String(b, StandardCharsets.US_ASCII);
            trickle = trickleAfter.remove(request); // once: the next meter's requests are answered
            if (trickle == null) {
                super.write(b);
                return;
            }
            requests.add(request);
            at = 0;
            trickleStart = clock.get();
        }

        @Override public synchronized int read(byte[] buf, int timeoutMillis) {
            if (++reads > MAX_READS) throw new IllegalStateException("the driver never gave up on the trickle");
            int n = super.read(buf, 0);
            if (n > 0) {
                clock.addAndGet(n * 1_000_000L);
                return n;
            }
            if (trickle == null || timeoutMillis < gapMs) {
                clock.addAndGet(timeoutMillis * 1_000_000L);
                return 0;
            }
            clock.addAndGet(gapMs * 1_000_000L);
            buf[0] = (byte) trickle.charAt(at++ % trickle.length());
            trickled++;
            return 1;
        }
    }

    /**
     * The sign-on answered by endless noise, and a mode C readout whose data sets trickle in without end, each byte
     * just inside the response timeout: each attempt ends at its deadline in the typed timeout (counted as truncated,
     * not the framer's length limit 16 KiB later, nor never), the heartbeat beat on every byte, and the line goes on
     * with the next meter.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sign-on", "readout"})
    void aTricklingMeter_endsInTheTimeoutAtItsDeadline_andTheLineGoesOn(String where) throws Exception {
        Iec62056DriverConfig config = new ConfigBuilder().addresses("7", "12345678").readoutDeadline(Duration.ofSeconds(5)).build(); // the derived deadline, longer
        boolean signOn = where.equals("sign-on");
        TricklingMeter line = new TricklingMeter(config.responseTimeout() - 1, signOn
                ? Map.of("/?7!\r\n", "x") // noise, never the identification's '/'
                : Map.of("/?7!\r\n", "/ABC5ZMD7\r\n", "\u0006050\r\n", "1.8.0(000001.000*kWh)\r\n")); // the identification (mode C, 9600; it trickles too), then data sets without end
        Recording rec = new Recording(Clock.systemUTC());
        Iec62056Driver d = new Iec62056Driver(config, new ObisReadings(ZoneOffset.UTC), line, rec, line.clock::get);
        d.poll("7");
        long took = line.clock.get() - line.trickleStart;
        long deadline = signOn ? Iec62056Driver.signOnBudgetNanos(config) : Iec62056Driver.readoutBudgetNanos(config, 9600);
        assertEquals(signOn ? 250_000_000L + 2 * 384 * (1_000_000_000L * 10 / 300) : 250_000_000L + 2 * 16_384 * (1_000_000_000L * 10 / 9600), deadline,
                "the response timeout, then twice the character time of the most bytes (384 at the sign-on's 300 baud; 16 KiB at 9600)");
        assertTrue(took <= deadline + 1_000_000L, "ended after " + Duration.ofNanos(took) + ", deadline " + Duration.ofNanos(deadline));
        assertTrue(took > deadline - config.responseTimeout() * 1_000_000L, "not before the deadline: " + Duration.ofNanos(took));
        assertEquals(List.of(Kind.TRUNCATED), rec.bad, "the typed timeout, counted");
        assertTrue(rec.beats.get() >= line.trickled, "a beat on every byte: " + rec.beats + " beats, " + line.trickled + " bytes");
        assertEquals(List.of(), rec.silent, "it answered");
        d.poll("12345678"); // the next meter on the line
        assertEquals(List.of(MeterId.of("iec62056:ABC:12345678")), rec.heard);
        assertEquals(3, rec.readings.size());
    }

    /** The data message's deadline is the derived one or {@code readout_deadline}, whichever is longer (for meters that pause between data sets). */
    @Test
    void readoutDeadline_isTheLongerOfTheKeyAndTheDerivedOne() {
        long derivedAt9600 = 250_000_000L + 2 * 16_384 * (1_000_000_000L * 10 / 9600); // 34.4 s
        assertEquals(Duration.ofSeconds(60).toNanos(), Iec62056Driver.readoutBudgetNanos(new ConfigBuilder().build(), 9600), "the default, 60 s");
        assertEquals(derivedAt9600, Iec62056Driver.readoutBudgetNanos(new ConfigBuilder().readoutDeadline(Duration.ofSeconds(5)).build(), 9600));
        assertEquals(250_000_000L + 2 * 16_384 * (1_000_000_000L * 10 / 300), Iec62056Driver.readoutBudgetNanos(new ConfigBuilder().build(), 300), "18 min at 300 baud");
        MapSettings longer = new MapSettings(Map.of("port", "/dev/ttyUSB0", "readout_deadline", "2m"));
        assertNotNull(new Iec62056DriverFactory().configure(longer), longer.errors()::toString);
        MapSettings tooShort = new MapSettings(Map.of("port", "/dev/ttyUSB0", "readout_deadline", "1s"));
        new Iec62056DriverFactory().configure(tooShort); // below 5 s: an error the loader reports, naming the key
        assertTrue(tooShort.errors().stream().anyMatch(e -> e.contains("readout_deadline")), tooShort.errors()::toString);
    }

    /**
     * A long mode A readout at 300 baud on the watchdog's own simulated clock: 3,000 bytes take about 100 s, more than
     * three times the liveness window, yet the loop is never stuck (a beat as each message begins and on every read
     * with bytes), and the readout, well inside its deadline, is delivered whole.
     */
    @Test
    void aSlowLongReadout_keepsTheLoopAlive_andEndsWithinItsDeadline() throws Exception {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        io.meterlink.core.runtime.Liveness liveness = new io.meterlink.core.runtime.Liveness(clock::get);
        io.meterlink.core.api.driver.Heartbeat beat = liveness.register("iec62056-line1");
        StringBuilder data = new StringBuilder("0.0.0(SLOW1)");
        while (data.length() < 2_950) data.append("\r\n1.8.0(000001.000*kWh)");
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes("/ABCZSLOW1\r\n".getBytes(StandardCharsets.US_ASCII)); // Z: mode A, the readout follows at 300 baud
        wire.writeBytes(ModeCMeter.readout(data.toString(), false));
        byte[] bytes = wire.toByteArray();
        List<List<io.meterlink.core.runtime.Liveness.Stuck>> seen = new java.util.ArrayList<>();
        ModeCMeter line = new ModeCMeter() {
            int at = -1;

            @Override public synchronized void write(byte[] b) {
                super.write(b);
                if (new String(b, StandardCharsets.US_ASCII).equals("/?5!\r\n")) at = 0;
            }

            @Override public synchronized int read(byte[] buf, int timeoutMillis) {
                if (at < 0 || at >= bytes.length) {
                    clock.addAndGet(timeoutMillis * 1_000_000L);
                    return 0;
                }
                clock.addAndGet(1_000_000_000L * 10 / 300); // one character at 300 baud
                seen.add(liveness.stuck());
                buf[0] = bytes[at++];
                return 1;
            }
        };
        Recording rec = new Recording(Clock.systemUTC());
        io.meterlink.core.api.driver.DriverContext watched = new io.meterlink.core.api.driver.DriverContext() {
            @Override public String sourceName() { return rec.sourceName(); }
            @Override public io.meterlink.core.api.driver.ReadingSink sink() { return rec; }
            @Override public io.meterlink.core.api.driver.Health health() { return rec; }
            @Override public Clock clock() { return rec.clock(); }
            @Override public io.meterlink.core.api.driver.Heartbeat heartbeat() { return beat; }
        };
        Iec62056DriverConfig config = new ConfigBuilder().addresses("5").build();
        beat.beat(); // the loop's beat before the poll
        new Iec62056Driver(config, new ObisReadings(ZoneOffset.UTC), line, watched, clock::get).poll("5");
        assertTrue(Duration.ofNanos(clock.get()).compareTo(io.meterlink.core.runtime.Liveness.DEFAULT_WINDOW.multipliedBy(3)) > 0,
                "the readout took " + Duration.ofNanos(clock.get()));
        assertTrue(clock.get() < Iec62056Driver.signOnBudgetNanos(config) + Iec62056Driver.readoutBudgetNanos(config, 300));
        assertEquals(bytes.length, seen.size());
        assertTrue(seen.stream().allMatch(List::isEmpty), "never stuck while the readout arrived");
        assertEquals(List.of(), rec.bad);
        assertEquals(List.of(MeterId.of("iec62056:ABC:SLOW1")), rec.heard);
        assertFalse(rec.readings.isEmpty());
    }
}
