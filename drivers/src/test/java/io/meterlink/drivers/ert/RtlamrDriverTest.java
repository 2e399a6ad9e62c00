package io.meterlink.drivers.ert;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.drivers.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code rtlamr} driver on rtlamr's own JSON output (the shared {@code rtlamr/} corpus, log
 * header first), from a child process and over TCP: every packet line gives the readings the
 * {@code ert} driver would give (same ids), log lines are skipped, repeats dropped, bad lines counted.
 */
class RtlamrDriverTest {
    private static Recording run(Map<String, Object> settings, long millis) throws Exception {
        MapSettings s = new MapSettings(settings);
        DriverFactory.DriverSpec spec = new RtlamrDriverFactory().configure(s);
        assertEquals(List.of(), s.errors());
        Recording rec = new Recording(Clock.systemUTC());
        Driver d = spec.create(rec);
        d.start();
        long until = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < until && rec.heard.size() < 14) Thread.sleep(50);
        Thread.sleep(300);
        d.close();
        return rec;
    }

    private static void assertCorpusReadings(Recording rec) {
        // 25 lines: 14 packets once the repeats are dropped (lines 5 = 11, 6 = 13 = 23, 3 = 12 = 19, 10 = 16 = 24, 1 = 9 = 22, 7 = 14, 15 = 25)
        assertEquals(14, rec.heard.size(), rec.heard::toString);
        assertTrue(rec.bad.isEmpty(), rec.bad::toString);
        assertTrue(value(rec, "ert:7:60706301", 0).compareTo(new BigDecimal("7621974000")) == 0); // SCM electric, kWh → Wh
        assertTrue(value(rec, "ert:r900:1111111111", 0).compareTo(new BigDecimal("4555831")) == 0);
        assertEquals(ErtReadingMapper.LEAK, reading(rec, "ert:r900:1111111111", 0).status());
        assertTrue(value(rec, "ert:7:0", 0).compareTo(new BigDecimal("206082000")) == 0); // leading zeros read leniently
        assertTrue(value(rec, "ert:7:33333333", 1).compareTo(new BigDecimal("26000")) == 0); // IDM's most recent interval
        assertNotNull(reading(rec, "ert:6:22222222", 47).meterTime());
    }

    private static Reading reading(Recording rec, String meter, int storage) {
        return rec.readings.stream().filter(r -> r.meter().equals(MeterId.of(meter)) && r.storage() == storage).findFirst().orElseThrow(
                () -> new AssertionError(meter + " storage " + storage + " not among " + rec.heard));
    }

    private static BigDecimal value(Recording rec, String meter, int storage) { return reading(rec, meter, storage).value(); }

    @Test
    void childProcess_linesGiveReadings() throws Exception {
        Path dir = TestData.folder("rtlamr");
        Recording rec = run(Map.of("transport", "command", "command",
                List.of("cat", dir.resolve("mock-log-header.txt").toString(), dir.resolve("mock-output.jsonl").toString())), 10_000);
        assertCorpusReadings(rec);
    }

    @Test
    void tcpStream_linesGiveReadings_badLinesCounted() throws Exception {
        Path dir = TestData.folder("rtlamr");
        byte[] body = (Files.readString(dir.resolve("mock-log-header.txt")) + Files.readString(dir.resolve("mock-output.jsonl"))
                + "{\"Type\":\"SCM\",\"Message\":{\"ID\":1}}\n{\"Type\":\"ZigBee\",\"Message\":{}}\n{not json\n").getBytes();
        try (ServerSocket server = new ServerSocket(0)) {
            Thread t = new Thread(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(body);
                    out.flush();
                    Thread.sleep(3000);
                } catch (Exception e) {
                    // the test ends the connection
                }
            });
            t.start();
            Recording rec = run(Map.of("transport", "tcp", "host", "127.0.0.1", "tcp_port", server.getLocalPort()), 10_000);
            assertEquals(List.of(DecodeException.Kind.SYNTAX, DecodeException.Kind.UNSUPPORTED, DecodeException.Kind.SYNTAX), rec.bad);
            rec.bad.clear();
            assertCorpusReadings(rec);
            t.join(5000);
        }
    }
}
