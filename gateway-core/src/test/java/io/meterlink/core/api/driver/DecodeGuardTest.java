package io.meterlink.core.api.driver;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodeGuardTest {
    private final DecodeGuard guard = new DecodeGuard("line7");

    @Test
    void decode_passesTheResultAndTheDecodersOwnRefusal() throws Exception {
        assertEquals(42, guard.decode(() -> 42));
        DecodeException own = new DecodeException(DecodeException.Kind.CHECKSUM, "bad CRC");
        assertSame(own, assertThrows(DecodeException.class, () -> guard.decode(() -> { throw own; })));
    }

    @Test
    void decode_aDecoderFault_isATypedOtherRefusal_loggedWithSourceAndClass_neverItsMessage() {
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DecodeException e;
        try {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            e = assertThrows(DecodeException.class, () -> guard.decode(() -> {
                throw new ArrayIndexOutOfBoundsException("key 00112233445566778899aabbccddeeff");
            }));
        } finally {
            System.setErr(err);
        }
        assertEquals(DecodeException.Kind.OTHER, e.kind());
        assertEquals("decoder fault: ArrayIndexOutOfBoundsException", e.getMessage());
        assertEquals(null, e.getCause(), "the fault's message (it may quote the input) is not carried on");
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("line7") && text.contains("java.lang.ArrayIndexOutOfBoundsException"), text);
        assertTrue(text.contains("DecodeGuardTest"), "the throwing place is named: " + text);
        assertFalse(text.contains("00112233"), text);
    }

    @Test
    void decode_theLinesCheckedFailuresPassUnchanged() {
        IOException broken = new IOException("line gone");
        assertSame(broken, assertThrows(IOException.class, () -> guard.decode(() -> { throw broken; })));
        assertThrows(InterruptedException.class, () -> guard.run(() -> { throw new InterruptedException(); }));
    }

    @Test
    void run_aFaultOfAStepWithoutResult_isAnOtherRefusal() {
        DecodeException e = assertThrows(DecodeException.class, () -> guard.run(() -> { throw new ArithmeticException("overflow"); }));
        assertEquals(DecodeException.Kind.OTHER, e.kind());
    }

    /** Frames are the fed bytes as text; the byte 'X' makes the decoder fail; every open is counted. */
    private static final class TextDecoder implements FrameDecoder {
        int opens;

        @Override public String protocol() { return "text"; }
        @Override public Input input() { return Input.BYTE_STREAM; }
        @Override public int detect(byte[] sample) { return 1; }

        @Override public Session open(Options options) {
            opens++;
            return new Session() {
                @Override public void feed(byte[] bytes, int offset, int length, Sink sink) {
                    String s = new String(bytes, offset, length, StandardCharsets.US_ASCII);
                    if (s.contains("X")) throw new IllegalStateException("hostile " + s);
                    sink.frame(new DecodedFrame("text", List.of(new Fact("text", s)), null, List.of()), offset);
                }
            };
        }
    }

    private static final class Collect implements FrameDecoder.Sink {
        final List<String> frames = new ArrayList<>();
        final List<DecodeException.Kind> errors = new ArrayList<>();
        RuntimeException deliveryFault;

        @Override public void frame(DecodedFrame frame, long inputOffset) {
            if (deliveryFault != null) throw deliveryFault;
            frames.add((String) frame.headerFact("text"));
        }

        @Override public void error(DecodeException error, long inputOffset) { errors.add(error.kind()); }
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    @Test
    void stream_aDecoderFault_isReportedAsOther_theSessionStartsAnew_theNextFrameIsRead() {
        TextDecoder d = new TextDecoder();
        DecodeGuard.Stream s = guard.stream(d, FrameDecoder.Options.none());
        Collect sink = new Collect();
        s.feed(ascii("a"), 0, 1, sink);
        s.feed(ascii("X"), 0, 1, sink);
        s.feed(ascii("b"), 0, 1, sink);
        assertEquals(List.of("a", "b"), sink.frames);
        assertEquals(List.of(DecodeException.Kind.OTHER), sink.errors);
        assertEquals(2, d.opens, "opened once, and once more after the fault");
    }

    @Test
    void stream_aDeliveryFault_passesUnchanged_andIsNotCounted() {
        TextDecoder d = new TextDecoder();
        DecodeGuard.Stream s = guard.stream(d, FrameDecoder.Options.none());
        Collect sink = new Collect();
        sink.deliveryFault = new IllegalStateException("buffer closed");
        assertSame(sink.deliveryFault, assertThrows(IllegalStateException.class, () -> s.feed(ascii("a"), 0, 1, sink)));
        assertTrue(sink.errors.isEmpty());
        assertEquals(1, d.opens, "the session is kept");
    }
}
