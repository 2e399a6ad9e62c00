package io.meterlink.drivers.obis;

import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.p1.P1FrameDecoder;
import io.meterlink.drivers.sml.SmlFrameDecoder;
import io.meterlink.drivers.testing.BrokenSink;
import io.meterlink.drivers.testing.FeedLine;
import io.meterlink.drivers.testing.Recording;
import io.meterlink.drivers.testing.StreamDecoding;
import io.meterlink.drivers.testing.TestData;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static io.meterlink.drivers.obis.StreamDriverTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * P1 and SML lines (the obis-family {@link StreamDriver}) with a decoder that fails on a crafted frame,
 * from inside its session as a decoder with a bug would: the frame is a counted {@code other} bad frame,
 * the line is not reopened and the next frame is read; a failing sink is not a bad frame.
 */
class ObisDecoderFaultGuardTest {
    /** {@code inner}, whose sessions fail (an arithmetic fault inside the decoder) on every frame {@code hostile} picks. */
    static FrameDecoder failingOn(FrameDecoder inner, Predicate<DecodedFrame> hostile) {
        return new FrameDecoder() {
            @Override public String protocol() { return inner.protocol(); }
            @Override public Input input() { return inner.input(); }
            @Override public int detect(byte[] sample) { return inner.detect(sample); }
            @Override public Session open(Options options) {
                Session s = inner.open(options);
                return new Session() {
                    @Override public void feed(byte[] bytes, int offset, int length, Sink sink) { s.feed(bytes, offset, length, failing(sink)); }
                    @Override public void end(Sink sink) { s.end(failing(sink)); }
                };
            }

            private Sink failing(Sink sink) {
                return new Sink() {
                    @Override public void frame(DecodedFrame frame, long inputOffset) {
                        if (hostile.test(frame)) throw new ArithmeticException("hostile frame");
                        sink.frame(frame, inputOffset);
                    }
                    @Override public void error(io.meterlink.core.api.driver.DecodeException error, long inputOffset) { sink.error(error, inputOffset); }
                };
            }
        };
    }

    private static Driver driver(FrameDecoder d, FeedLine line, io.meterlink.core.api.driver.DriverContext context) {
        return new StreamDriver(d, FrameDecoder.Options.none(), new ObisReadings(ZoneOffset.UTC), 300, line, context);
    }

    /** The frame has a record whose value shows {@code digits} (in the meter's unit or scaled). */
    private static boolean holds(DecodedFrame f, String digits) {
        return f.records() != null && f.records().stream().map(DecodedRecord::value).anyMatch(v -> v != null && v.toPlainString().contains(digits));
    }

    @Test
    void p1_aDecoderFaultOnACraftedTelegram_isCountedOther_theNextTelegramIsRead() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        byte[] hostile = StreamDriverTest.telegram("666666.666");
        byte[] good = StreamDriverTest.telegram("000001.000");
        line.add(hostile, 100);
        line.add(good, 100);
        try (Driver d = driver(failingOn(new P1FrameDecoder(), f -> holds(f, "666666")), line, rec)) {
            d.start();
            await(() -> !rec.readings.isEmpty(), "the telegram after the fault", rec);
        }
        assertEquals(List.of(Kind.OTHER), rec.bad);
        assertTrue(rec.readings.stream().noneMatch(r -> r.value().compareTo(new BigDecimal("666666666")) == 0), rec::toString);
        assertEquals(1, line.opens, "the line was never reopened");
        assertTrue(rec.transportErrors.isEmpty(), rec::toString);
    }

    @Test
    void sml_aDecoderFaultOnTheFirstFile_isCountedOther_theFilesAfterItAreRead() throws Exception {
        Path dump;
        try (Stream<Path> files = Files.list(TestData.folder("sml"))) {
            dump = files.filter(p -> p.getFileName().toString().startsWith("EMH_eHZ-HW8E2AWL0EK2P") && p.toString().endsWith(".bin")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(dump);
        List<StreamDecoding.Outcome> outcomes = StreamDecoding.run(new SmlFrameDecoder(), bytes);
        List<DecodedFrame> frames = StreamDecoding.frames(outcomes);
        assertTrue(frames.size() >= 2, "the dump holds several files");
        ObisReadings mapper = new ObisReadings(ZoneOffset.UTC);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        int afterFirst = frames.stream().skip(1).mapToInt(f -> mapper.toReadings(f, now).size()).sum();
        assertTrue(afterFirst > 0);
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        // one read per file: what a line gives when the meter pauses between files
        List<Long> starts = outcomes.stream().filter(o -> o.frame() != null).map(StreamDecoding.Outcome::offset).toList();
        for (int i = 0; i < starts.size(); i++) {
            int from = i == 0 ? 0 : (int) (long) starts.get(i);
            int to = i + 1 < starts.size() ? (int) (long) starts.get(i + 1) : bytes.length;
            line.add(java.util.Arrays.copyOfRange(bytes, from, to), Integer.MAX_VALUE);
        }
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (Driver d = driver(failingOn(new SmlFrameDecoder(), f -> first.getAndSet(false)), line, rec)) {
            d.start();
            await(() -> rec.readings.size() >= afterFirst, "every reading of the files after the first", rec);
            await(line::drained, "the line read", rec);
        }
        assertEquals(1, rec.bad.stream().filter(k -> k == Kind.OTHER).count(), rec::toString);
        assertEquals(afterFirst, rec.readings.size(), "the files after the fault give all their readings");
        assertEquals(1, line.opens, "the line was never reopened");
        assertTrue(rec.transportErrors.isEmpty(), rec::toString);
    }

    @Test
    void aDeliveryFault_isNotABadFrame_itStopsTheLineAsBefore() throws Exception {
        FeedLine line = new FeedLine();
        byte[] good = StreamDriverTest.telegram("000001.000");
        BrokenSink.assertStopsTheLine(context -> driver(new P1FrameDecoder(), line, context), () -> line.add(good, good.length));
    }
}
