package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeGuard;
import io.meterlink.drivers.testing.ScriptedLine;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.meterlink.drivers.testing.Hex.bytes;
import static org.junit.jupiter.api.Assertions.*;

class MbusMasterTest {
    private static final String HEADER = "78 56 34 12 2D 2C 01 07 2A 00 00 00";
    private final List<DecodeException> bad = new ArrayList<>();

    private static byte[] rsp(int address, String records) {
        return new MbusFrame.Long(0x08, address, 0x72, bytes(HEADER + " " + records)).toBytes();
    }

    private MbusMaster master(ScriptedLine line) {
        line.open();
        return new MbusMaster(line, new MbusDecoder()::decode, 50, 2, bad::add, new DecodeGuard(line.describe()));
    }

    @Test
    void readout_sendsSndNkeThenReqUd2WithFcbSet() throws Exception {
        ScriptedLine line = new ScriptedLine(req -> req.control() == 0x40 ? bytes("E5") : rsp(req.address(), "04 13 01 00 00 00"));
        List<MbusTelegram> ts = master(line).readout(3);
        assertEquals(1, ts.size());
        assertEquals(List.of(new MbusFrame.Short(0x40, 3), new MbusFrame.Short(0x7B, 3)), line.requests());
    }

    @Test
    void readout_multiTelegram_togglesFcbUntilNoMoreRecords() throws Exception {
        AtomicInteger n = new AtomicInteger();
        ScriptedLine line = new ScriptedLine(req -> {
            if (req.control() == 0x40) return bytes("E5");
            return rsp(1, n.incrementAndGet() < 3 ? "04 13 01 00 00 00 1F" : "04 13 02 00 00 00");
        });
        List<MbusTelegram> ts = master(line).readout(1);
        assertEquals(3, ts.size());
        assertEquals(List.of(0x40, 0x7B, 0x5B, 0x7B), line.requests().stream().map(MbusFrame.Short::control).toList());
    }

    @Test
    void readout_badChecksumThenGood_retriesWithSameFcbAndCountsBadInput() throws Exception {
        AtomicInteger n = new AtomicInteger();
        ScriptedLine line = new ScriptedLine(req -> {
            if (req.control() == 0x40) return bytes("E5");
            byte[] f = rsp(1, "04 13 01 00 00 00");
            if (n.incrementAndGet() == 1) f[f.length - 2]++; // corrupt checksum once
            return f;
        });
        List<MbusTelegram> ts = master(line).readout(1);
        assertEquals(1, ts.size());
        assertEquals(List.of(0x40, 0x7B, 0x7B), line.requests().stream().map(MbusFrame.Short::control).toList());
        assertTrue(bad.stream().anyMatch(e -> e.kind() == DecodeException.Kind.CHECKSUM));
    }

    @Test
    void readout_garbageBeforeAnswer_countedAndAnswerUsed() throws Exception {
        ScriptedLine line = new ScriptedLine(req -> {
            if (req.control() == 0x40) return bytes("E5");
            byte[] f = rsp(1, "04 13 01 00 00 00");
            byte[] g = new byte[f.length + 3];
            g[0] = 0x01; g[1] = 0x02; g[2] = (byte) 0xFF;
            System.arraycopy(f, 0, g, 3, f.length);
            return g;
        });
        assertEquals(1, master(line).readout(1).size());
        assertEquals(1, bad.size());
        assertEquals(DecodeException.Kind.SYNTAX, bad.get(0).kind());
    }

    @Test
    void readout_silentMeter_givesNothingAfterRetries() throws Exception {
        ScriptedLine line = new ScriptedLine(req -> null);
        assertTrue(master(line).readout(9).isEmpty());
        assertEquals(3, line.requests().size(), "SND_NKE sent once and repeated twice");
    }

    @Test
    void readout_answerFromOtherAddress_ignoredAndCounted() throws Exception {
        ScriptedLine line = new ScriptedLine(req -> req.control() == 0x40 ? bytes("E5") : rsp(req.address() + 1, ""));
        assertTrue(master(line).readout(4).isEmpty());
        assertEquals(3, bad.size());
    }

    @Test
    void responseTimeout_followsBaudRate() {
        assertEquals(188, MbusTiming.responseTimeoutMillis(2400));
        assertEquals(1150, MbusTiming.responseTimeoutMillis(300));
        assertEquals(85, MbusTiming.responseTimeoutMillis(9600));
    }

    @Test
    void readout_twoBytesAfterTheLastRecord_keepsTheRecords_countsTheRest_withoutRepeating() throws Exception {
        // volume 0.001 m3, then 04 13: a 32-bit volume record without its data (the checksum is right)
        ScriptedLine line = new ScriptedLine(req -> req.control() == 0x40 ? bytes("E5") : rsp(req.address(), "04 13 01 00 00 00 04 13"));
        List<MbusTelegram> ts = master(line).readout(1);
        assertEquals(1, ts.size());
        assertEquals(1, ts.get(0).records().size());
        assertEquals("0413", ts.get(0).undecoded().hex());
        assertEquals(List.of(DecodeException.Kind.TRUNCATED), bad.stream().map(DecodeException::kind).toList());
        assertEquals("primary 1", bad.get(0).meter());
        assertEquals(2, line.requests().size(), "SND_NKE and one REQ_UD2: the meter would send the same again");
    }
}
