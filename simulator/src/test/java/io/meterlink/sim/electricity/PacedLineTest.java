package io.meterlink.sim.electricity;

import io.meterlink.drivers.testing.FeedLine;
import io.meterlink.drivers.transport.Transport;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** The paced meter end passes every byte through unchanged and in order, whatever its speed (its timing is measured in IecPollCycleBenchmark, not asserted). */
class PacedLineTest {
    @Test
    void writesAndReads_passEveryByteInOrder_atEachSpeed() throws Exception {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        FeedLine feed = new FeedLine();
        Transport recording = new Transport() {
            @Override public void open() { }

            @Override public boolean isOpen() { return true; }

            @Override public void write(byte[] bytes) { written.writeBytes(bytes); }

            @Override public int read(byte[] buf, int timeoutMillis) throws java.io.IOException { return feed.read(buf, timeoutMillis); }

            @Override public void drainInput() { }

            @Override public String describe() { return "test"; }

            @Override public void close() { }
        };
        PacedLine line = new PacedLine(recording);
        byte[] readout = new byte[300];
        for (int i = 0; i < readout.length; i++) readout[i] = (byte) (i * 7);
        line.setBaud(19200);
        line.write(readout);
        line.setBaud(9600);
        line.write(Arrays.copyOf(readout, 17));
        byte[] expected = new byte[317];
        System.arraycopy(readout, 0, expected, 0, 300);
        System.arraycopy(readout, 0, expected, 300, 17);
        assertArrayEquals(expected, written.toByteArray());

        feed.add("/?12!\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 1);
        line.setBaud(300);
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        while (read.size() < 7) {
            if (line.read(one, 100) == 1) read.write(one[0]);
        }
        assertEquals("/?12!\r\n", read.toString(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
