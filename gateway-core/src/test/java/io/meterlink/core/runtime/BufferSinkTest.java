package io.meterlink.core.runtime;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.StoredReading;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BufferSinkTest {
    private static final Reading R = Reading.of(MeterId.of("test:TST:1"), Quantity.VOLUME, Unit.M3, BigDecimal.ONE, null, Instant.EPOCH);

    @Test
    void trace_printsOneLinePerRunOfConsecutiveSeqs() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AcceptedListener.trace(new PrintStream(out, true, StandardCharsets.UTF_8)).accepted(new long[] {5, 6, 7, 9, 10, 12});
        assertEquals("ACCEPTED 5-7\nACCEPTED 9-10\nACCEPTED 12-12\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void nullReadings_areDropped_andCounted_theRestStored() throws Exception {
        RecordingBuffer buffer = new RecordingBuffer(CompletableFuture.completedFuture(new long[] {1, 2}));
        BufferSink sink = new BufferSink(buffer, AcceptedListener.NONE);
        sink.accept(Arrays.asList(R, null, R));
        assertEquals(1, buffer.appended.size());
        assertEquals(2, buffer.appended.get(0).size());
        assertEquals(1, sink.dropped());
    }

    @Test
    void failedCommit_isCounted_andNotReportedAccepted() throws Exception {
        RecordingBuffer buffer = new RecordingBuffer(CompletableFuture.failedFuture(new IllegalStateException("disk full")));
        List<long[]> accepted = new ArrayList<>();
        BufferSink sink = new BufferSink(buffer, accepted::add);
        sink.accept(List.of(R, R, R));
        assertEquals(3, sink.failed());
        assertEquals(0, accepted.size());
    }

    private static final class RecordingBuffer implements Buffer {
        final List<List<Reading>> appended = new ArrayList<>();
        final CompletableFuture<long[]> result;

        RecordingBuffer(CompletableFuture<long[]> result) { this.result = result; }

        @Override public CompletableFuture<long[]> append(List<Reading> readings) {
            appended.add(readings);
            return result;
        }

        @Override public List<StoredReading> read(long afterSeq, int maxReadings, int maxBytes) { return List.of(); }
        @Override public long lowestSeq() { return 0; }
        @Override public long highestCommittedSeq() { return 0; }
        @Override public long highestSeqAtOpen() { return 0; }
        @Override public void confirm(long[] seqs) { }
        @Override public void deadLetter(long[] seqs, String reason) { }
        @Override public void onCommit(Runnable listener) { }
        @Override public BufferStats stats() { return null; }
        @Override public void close() { }
    }
}
