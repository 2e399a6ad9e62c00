package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeGuard;
import io.meterlink.drivers.testing.ScriptedLine;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.meterlink.drivers.testing.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A wired M-Bus slave whose answer makes the telegram decoder fail (a decoder bug on a hostile frame):
 * a counted {@code other} bad input, the request is repeated as after any refused answer, and the next
 * answer is read.
 */
class MbusDecoderFaultGuardTest {
    private static final String HEADER = "78 56 34 12 2D 2C 01 07 2A 00 00 00";
    static final String HOSTILE = "04 13 66 66 66 00";

    @Test
    void aDecoderFaultOnAHostileAnswer_isCountedOther_theRepeatedRequestIsRead() throws Exception {
        AtomicInteger answers = new AtomicInteger();
        ScriptedLine line = new ScriptedLine(req -> req.control() == 0x40 ? bytes("E5")
                : new MbusFrame.Long(0x08, 1, 0x72, bytes(HEADER + " " + (answers.incrementAndGet() == 1 ? HOSTILE : "04 13 01 00 00 00"))).toBytes());
        line.open();
        MbusDecoder real = new MbusDecoder();
        MbusMaster.Telegrams faulty = frame -> {
            if (java.util.HexFormat.of().formatHex(frame.data()).contains("0413666666")) throw new ArithmeticException("hostile telegram");
            return real.decode(frame);
        };
        List<DecodeException> bad = new ArrayList<>();
        List<MbusTelegram> ts = new MbusMaster(line, faulty, 50, 2, bad::add, new DecodeGuard("line1")).readout(1);
        assertEquals(1, ts.size());
        assertEquals(List.of(DecodeException.Kind.OTHER), bad.stream().map(DecodeException::kind).toList());
        assertEquals(List.of(0x40, 0x7B, 0x7B), line.requests().stream().map(MbusFrame.Short::control).toList(), "REQ_UD2 repeated with the same FCB");
    }
}
