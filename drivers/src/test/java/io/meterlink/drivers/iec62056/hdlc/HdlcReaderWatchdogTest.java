package io.meterlink.drivers.iec62056.hdlc;

import io.meterlink.core.api.driver.Heartbeat;
import io.meterlink.core.runtime.Liveness;
import io.meterlink.drivers.transport.Transport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One long HDLC frame on a slow line against the service watchdog's liveness rule, on a simulated clock
 * (the watchdog's {@link Liveness} with its own time source): a valid 2 KB frame at 300 baud (68 s,
 * more than twice the 30 s window) never makes the reading loop stuck, because every read that brings
 * bytes beats; a line that stops sending mid-frame makes it stuck once the window has passed.
 */
class HdlcReaderWatchdogTest {
    /** 10 bits per character at 300 baud. */
    static final long BYTE_NANOS = 1_000_000_000L * 10 / 300;

    /** A simulated meter line read only: everything but {@link #read} does nothing. */
    private abstract static class ReadOnlyLine implements Transport {
        @Override public void open() { }
        @Override public boolean isOpen() { return true; }
        @Override public void write(byte[] b) { }
        @Override public void drainInput() { }
        @Override public String describe() { return getClass().getSimpleName(); }
        @Override public void close() { }
    }

    /** The meter's line: one byte per read, each taking its time on the simulated clock; silent (a hung read) from {@code stallAt} on. */
    private static final class SlowLine extends ReadOnlyLine {
        final byte[] bytes;
        final int stallAt;
        final AtomicLong clock;
        final Liveness liveness;
        /** What the watchdog would have seen at each read: the stuck loops, when any. */
        final List<List<Liveness.Stuck>> seen = new ArrayList<>();
        int at;

        SlowLine(byte[] bytes, int stallAt, AtomicLong clock, Liveness liveness) {
            this.bytes = bytes;
            this.stallAt = stallAt;
            this.clock = clock;
            this.liveness = liveness;
        }

        @Override public int read(byte[] buf, int timeoutMillis) {
            if (at >= stallAt) {
                clock.addAndGet(Liveness.DEFAULT_WINDOW.toNanos() + 1_000_000_000L); // a read that hangs past the window
                seen.add(liveness.stuck());
                return 0;
            }
            clock.addAndGet(BYTE_NANOS);
            seen.add(liveness.stuck());
            buf[0] = bytes[at++];
            return 1;
        }
    }

    private static byte[] longFrame(byte[] info) {
        return new HdlcFrame(false, HdlcAddress.of(0x10), HdlcAddress.of(1), HdlcFrame.iControl(0, 0), info).encode();
    }

    private static byte[] info() {
        byte[] info = new byte[2000];
        for (int i = 0; i < info.length; i++) info[i] = (byte) (i * 7);
        return info;
    }

    @Test
    void aSlowValidLongFrame_keepsTheLoopAlive() throws Exception {
        AtomicLong clock = new AtomicLong();
        Liveness liveness = new Liveness(clock::get);
        Heartbeat beat = liveness.register("iec62056-line1");
        beat.beat(); // the driver's loop beat before the session
        byte[] wire = longFrame(info());
        SlowLine line = new SlowLine(wire, Integer.MAX_VALUE, clock, liveness);
        HdlcFrame f = new HdlcReader(line, beat::beat, 300, clock::get).read(2_000, HdlcFrame.MAX_LENGTH); // within its deadline too
        assertArrayEquals(info(), f.info());
        assertTrue(Duration.ofNanos(clock.get()).compareTo(Liveness.DEFAULT_WINDOW.multipliedBy(2)) > 0,
                "the frame took " + Duration.ofNanos(clock.get()) + ", more than twice the window");
        assertEquals(wire.length, line.seen.size());
        assertTrue(line.seen.stream().allMatch(List::isEmpty), "never stuck while the frame arrived");
    }

    @Test
    void aLineThatStopsMidFrame_makesTheLoopStuck() throws Exception {
        AtomicLong clock = new AtomicLong();
        Liveness liveness = new Liveness(clock::get);
        Heartbeat beat = liveness.register("iec62056-line1");
        beat.beat();
        byte[] wire = longFrame(info());
        SlowLine line = new SlowLine(wire, 1_000, clock, liveness);
        HdlcException e = assertThrows(HdlcException.class, () -> new HdlcReader(line, beat::beat, 300, clock::get).read(2_000, HdlcFrame.MAX_LENGTH));
        assertEquals(HdlcException.Reason.TRUNCATED, e.reason());
        assertTrue(line.seen.subList(0, 1_000).stream().allMatch(List::isEmpty), "alive while bytes came");
        List<Liveness.Stuck> atTheStall = line.seen.get(line.seen.size() - 1);
        assertEquals(1, atTheStall.size(), "stuck once the line was silent past the window");
        assertEquals("iec62056-line1", atTheStall.get(0).loop());
    }

    @Test
    void withoutProgressBeats_theSameSlowFrameWouldBeStuck() throws Exception {
        AtomicLong clock = new AtomicLong();
        Liveness liveness = new Liveness(clock::get);
        liveness.register("iec62056-line1").beat();
        SlowLine line = new SlowLine(longFrame(info()), Integer.MAX_VALUE, clock, liveness);
        new HdlcReader(line, () -> { }, 300, clock::get).read(2_000, HdlcFrame.MAX_LENGTH); // beats only between frames
        assertFalse(line.seen.stream().allMatch(List::isEmpty), "the window passes within the frame: why the reader beats");
    }

    /**
     * A hostile line: each read waits {@code gapMs} on the simulated clock (just inside the reader's timeout)
     * and then brings one byte of {@code bytes}, repeated; a read asked to wait less brings nothing.
     */
    private static final class TrickleLine extends ReadOnlyLine {
        final byte[] bytes;
        final long gapMs;
        final AtomicLong clock;
        int reads, at;

        TrickleLine(byte[] bytes, long gapMs, AtomicLong clock) {
            this.bytes = bytes;
            this.gapMs = gapMs;
            this.clock = clock;
        }

        @Override public int read(byte[] buf, int timeoutMillis) {
            reads++;
            if (timeoutMillis < gapMs) {
                clock.addAndGet(timeoutMillis * 1_000_000L);
                return 0;
            }
            clock.addAndGet(gapMs * 1_000_000L);
            buf[0] = bytes[at++ % bytes.length];
            return 1;
        }
    }

    /** Noise trickled before any flag, and a frame whose announced bytes trickle in: each ends in the typed timeout within the frame's deadline, beating all along. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"noise", "inside a frame"})
    void aTricklingLine_endsInTheTimeoutWithinTheDeadline(String where) {
        int timeoutMs = 2_000, maxLength = 143; // max_info 128 and the frame's overhead
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        byte[] wire = where.equals("noise")
                ? new byte[] {0x55}
                : new byte[] {0x7E, (byte) 0xA0, (byte) maxLength, 0x21, 0x02, 0x23, 0x10}; // flag, a 143-byte frame, then its bytes trickle (repeating)
        TrickleLine line = new TrickleLine(wire, timeoutMs - 1, clock);
        List<Long> beats = new ArrayList<>();
        HdlcReader reader = new HdlcReader(line, () -> beats.add(clock.get()), 300, clock::get);
        long start = clock.get();
        HdlcException e = assertThrows(HdlcException.class, () -> reader.read(timeoutMs, maxLength));
        assertEquals(HdlcException.Reason.TIMEOUT, e.reason(), e.getMessage());
        long took = clock.get() - start;
        // 2 s plus twice 10 bits at 300 baud for the skip limit (286), the frame (143) and its closing flag
        long bound = 2_000_000_000L + 2 * (286 + 143 + 1) * (1_000_000_000L * 10 / 300);
        assertEquals(bound, reader.deadlineNanos(timeoutMs, maxLength));
        assertTrue(took <= bound, "ended after " + Duration.ofNanos(took) + ", deadline " + Duration.ofNanos(bound));
        assertTrue(took > bound - timeoutMs * 1_000_000L, "not before the deadline: " + Duration.ofNanos(took));
        assertEquals(line.reads - 1, beats.size(), "every read that brought a byte beat (the last one, cut at the deadline, brought none)");
    }

    @Test
    void aSlowValidFrameAfterNoise_completesWithinItsDeadline() throws Exception {
        AtomicLong clock = new AtomicLong();
        Liveness liveness = new Liveness(clock::get);
        byte[] frame = longFrame(info());
        byte[] wire = new byte[frame.length + 100];
        System.arraycopy(frame, 0, wire, 100, frame.length); // 100 noise bytes (zeros) before the opening flag
        SlowLine line = new SlowLine(wire, Integer.MAX_VALUE, clock, liveness);
        HdlcReader reader = new HdlcReader(line, () -> { }, 300, clock::get);
        assertArrayEquals(info(), reader.read(2_000, HdlcFrame.MAX_LENGTH).info());
        assertTrue(clock.get() < reader.deadlineNanos(2_000, HdlcFrame.MAX_LENGTH));
    }
}
