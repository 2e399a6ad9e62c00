package io.meterlink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.SequenceInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundedLineReaderTest {

    @Test
    void lineEnds_lf_crlf_cr_andLastLineWithoutEnd() throws Exception {
        BoundedLineReader r = new BoundedLineReader(new ByteArrayInputStream("a\nbb\r\nccc\rdddd".getBytes(StandardCharsets.US_ASCII)), 10);
        List<String> lines = new ArrayList<>();
        BoundedLineReader.Line l;
        while ((l = r.next()) != null) lines.add(l.text());
        assertEquals(List.of("a", "bb", "ccc", "dddd"), lines);
    }

    @Test
    void emptyLines_areLines() throws Exception {
        BoundedLineReader r = new BoundedLineReader(new ByteArrayInputStream("\n\nx\n".getBytes(StandardCharsets.US_ASCII)), 10);
        assertEquals("", r.next().text());
        assertEquals("", r.next().text());
        assertEquals("x", r.next().text());
        assertNull(r.next());
    }

    @Test
    void lineAtTheBound_isKept_oneByteMore_isTooLong_andTheNextLineIsRead() throws Exception {
        BoundedLineReader r = new BoundedLineReader(new ByteArrayInputStream("12345\n123456\nok\n".getBytes(StandardCharsets.US_ASCII)), 5);
        assertEquals("12345", r.next().text());
        BoundedLineReader.Line over = r.next();
        assertTrue(over.tooLong());
        assertEquals(6, over.length());
        assertEquals("ok", r.next().text());
        assertNull(r.next());
    }

    /**
     * A line of 2^31 + 7 bytes: no byte array or String can hold it, so reading it at all proves it is
     * never held; the line after it is read as usual.
     */
    @Test
    void lineLargerThanAnyArray_isSkippedUnheld_thenTheNextLineIsRead() throws Exception {
        long huge = (1L << 31) + 7;
        InputStream in = new SequenceInputStream(new Repeat('A', huge), new ByteArrayInputStream("\nE5\n".getBytes(StandardCharsets.US_ASCII)));
        BoundedLineReader r = new BoundedLineReader(in, BoundedLineReader.DEFAULT_MAX_BYTES);
        BoundedLineReader.Line l = r.next();
        assertTrue(l.tooLong());
        assertEquals(huge, l.length());
        assertEquals("E5", r.next().text());
        assertNull(r.next());
    }

    @Test
    void decode_overLongLine_givesLineTooLong_thenDecodesTheNextLine() throws Exception {
        long big = 20L * 1024 * 1024; // the 20 MB line
        InputStream stdin = new SequenceInputStream(new Repeat('6', big),
                new ByteArrayInputStream("\nE5\n".getBytes(StandardCharsets.US_ASCII)));
        InputStream old = System.in;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try {
            System.setIn(stdin);
            int code = Main.commandLine(new MainTest.FakeServices(), new PrintWriter(out, true), new PrintWriter(err, true))
                    .execute("decode");
            assertEquals(0, code, err::toString);
        } finally {
            System.setIn(old);
        }
        String[] lines = out.toString().split("\n");
        assertEquals(2, lines.length, out::toString);
        JsonNode first = new ObjectMapper().readTree(lines[0]);
        assertTrue(first.path("error").asText().startsWith("line_too_long: " + big + " bytes"), first.toString());
        assertEquals(1, first.path("input_line").asInt());
        JsonNode second = new ObjectMapper().readTree(lines[1]);
        assertFalse(second.has("error"), second.toString());
        assertEquals("ack", second.path("frame").asText());
    }

    /** {@code count} times the byte {@code b}, generated, never stored. */
    private static final class Repeat extends InputStream {
        private final int b;
        private long left;

        Repeat(int b, long count) {
            this.b = b;
            this.left = count;
        }

        @Override public int read() {
            if (left == 0) return -1;
            left--;
            return b;
        }

        @Override public int read(byte[] buf, int off, int len) {
            if (left == 0) return -1;
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(buf, off, off + n, (byte) b);
            left -= n;
            return n;
        }
    }
}
