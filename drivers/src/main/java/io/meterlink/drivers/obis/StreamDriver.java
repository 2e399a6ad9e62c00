package io.meterlink.drivers.obis;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeGuard;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * A driver for meters that push on their own (P1 ports, SML info interfaces): listens to one line
 * and cuts what arrives into frames with the family's {@link FrameDecoder} session, which resyncs on
 * its own after noise, a cut frame or a frame whose checksum fails (counted, never a reading). Every
 * decoded frame becomes readings through {@link ObisReadings}. A frame that stays incomplete over
 * a quiet read timeout is dropped (counted as truncated); the session, and with it the P1 frame
 * counters of replay detection, lives as long as the driver. Telegrams that
 * arrive split over several reads, or several in one read, frame the same. Thread: its own.
 */
public final class StreamDriver extends ObisLineDriver {
    private static final Logger LOG = LoggerFactory.getLogger(StreamDriver.class);
    private static final int READ_TIMEOUT_MS = 500;

    private final FrameDecoder decoder;
    private final FrameDecoder.Options options;
    private final int quietMillis;
    /**
     * Kept across quiet times and reopens of the line: it holds what must outlive a frame (P1 frame counters
     * for replay detection). Guarded: a decoder fault is a counted bad frame and the session starts anew.
     */
    private DecodeGuard.Stream session;

    /**
     * @param options     keys for the session (P1 encryption), never logged
     * @param quietMillis after this long without a byte, a half-received frame is abandoned
     */
    public StreamDriver(FrameDecoder decoder, FrameDecoder.Options options, ObisReadings mapper, int quietMillis,
                        Transport transport, DriverContext context) {
        super(decoder.protocol(), mapper, transport, context);
        this.decoder = decoder;
        this.options = options;
        this.quietMillis = quietMillis;
    }

    @Override
    protected void serve() throws IOException, InterruptedException {
        LOG.info("{}: listening for {} frames", source(), decoder.protocol());
        if (session == null) session = guard.stream(decoder, options);
        FrameDecoder.Sink sink = new Sink();
        byte[] buf = new byte[4096];
        long lastByte = System.nanoTime();
        boolean pending = false;
        while (running()) {
            heartbeat().beat(); // every read returns within READ_TIMEOUT_MS, data or not
            int n = transport.read(buf, READ_TIMEOUT_MS);
            if (n > 0) {
                lastByte = System.nanoTime();
                pending = true;
                session.feed(buf, 0, n, sink);
            } else if (pending && System.nanoTime() - lastByte > quietMillis * 1_000_000L) {
                pending = false;
                session.end(sink); // reports a half-received frame and leaves the session empty for the next one
            }
            if (Thread.interrupted()) throw new InterruptedException();
        }
    }

    private final class Sink implements FrameDecoder.Sink {
        @Override
        public void frame(DecodedFrame frame, long inputOffset) {
            try {
                deliver(frame);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override public void error(DecodeException error, long inputOffset) { badInput(error); }
    }
}
