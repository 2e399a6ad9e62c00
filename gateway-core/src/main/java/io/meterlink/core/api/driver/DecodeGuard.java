package io.meterlink.core.api.driver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * The one boundary between what a line delivered and a family's decoder: every driver runs its
 * decoding (a frame, a register image, a payload, an edge, a byte stream cut into frames) through
 * its source's guard ({@link DriverContext#decodeGuard()}). A decoder that fails on hostile input
 * with an unexpected {@link RuntimeException} (a bug: an index out of bounds, an arithmetic overflow)
 * gives a typed {@link DecodeException} of kind {@link DecodeException.Kind#OTHER} that the driver
 * counts like any bad input, and its line goes on: the fault is logged once with the source and the
 * exception's class and throwing place, never its message or the input (a frame may hold key
 * material). What happens after decoding (handing readings to the buffer, writing to the line) is not
 * guarded: its failures propagate as before. Stateless and thread-safe; {@link Stream}s are not.
 */
public final class DecodeGuard {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeGuard.class);

    /** One decoding step: input to its result, or a typed refusal; may also fail on the line ({@code X}). */
    @FunctionalInterface
    public interface Decoding<T, X extends Exception> {
        T decode() throws DecodeException, X;
    }

    /** A decoding step that reports what it found through callbacks (a demodulator, a debouncer). */
    @FunctionalInterface
    public interface Action<X extends Exception> {
        void run() throws DecodeException, X;
    }

    private final String source;

    /** @param source the configured source whose input this guard decodes (named in the log) */
    public DecodeGuard(String source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Runs one decoding step: its result, its own {@link DecodeException}, or a decoder fault turned into
     * one ({@link DecodeException.Kind#OTHER}). Checked exceptions of the step ({@code X}: the line's
     * {@link java.io.IOException}, {@link InterruptedException}) pass unchanged.
     */
    public <T, X extends Exception> T decode(Decoding<T, X> step) throws DecodeException, X {
        try {
            return step.decode();
        } catch (RuntimeException e) {
            throw fault(e);
        }
    }

    /** {@link #decode} for a step without a result. */
    public <X extends Exception> void run(Action<X> step) throws DecodeException, X {
        try {
            step.run();
        } catch (RuntimeException e) {
            throw fault(e);
        }
    }

    /** The typed refusal for a decoder fault, logged once (class and throwing place only). */
    private DecodeException fault(RuntimeException e) {
        StackTraceElement[] at = e.getStackTrace();
        String where = at.length == 0 ? "?" : at[0].getClassName() + "." + at[0].getMethodName() + ":" + at[0].getLineNumber();
        LOG.warn("{}: input refused by a decoder fault: {} at {}", source, e.getClass().getName(), where);
        return new DecodeException(DecodeException.Kind.OTHER, "decoder fault: " + e.getClass().getSimpleName());
    }

    /**
     * A guarded session of a {@link FrameDecoder.Input#BYTE_STREAM} decoder, whose frames are delivered
     * from inside its calls: a decoder fault is reported to the sink as an {@code OTHER} error and the
     * session is opened anew (what it held of a half-read frame is dropped; what it keeps across frames
     * is lost with it), while a {@link RuntimeException} of the sink itself (delivery) passes unchanged.
     */
    public Stream stream(FrameDecoder decoder, FrameDecoder.Options options) {
        return new Stream(decoder, options);
    }

    /** See {@link #stream}. Not thread-safe. */
    public final class Stream {
        private final FrameDecoder decoder;
        private final FrameDecoder.Options options;
        private FrameDecoder.Session session;

        private Stream(FrameDecoder decoder, FrameDecoder.Options options) {
            this.decoder = decoder;
            this.options = options;
            this.session = decoder.open(options);
        }

        /** {@link FrameDecoder.Session#feed}, guarded. */
        public void feed(byte[] bytes, int offset, int length, FrameDecoder.Sink sink) {
            Delivery d = new Delivery(sink);
            try {
                session.feed(bytes, offset, length, d);
            } catch (RuntimeException e) {
                refused(d, e);
            }
        }

        /** {@link FrameDecoder.Session#end}, guarded. */
        public void end(FrameDecoder.Sink sink) {
            Delivery d = new Delivery(sink);
            try {
                session.end(d);
            } catch (RuntimeException e) {
                refused(d, e);
            }
        }

        private void refused(Delivery d, RuntimeException e) {
            if (e instanceof SinkFault f) throw f.fault;
            session = decoder.open(options);
            d.sink.error(fault(e), -1);
        }
    }

    /** Passes frames and errors to the driver's sink; a fault of the sink is carried through the decoder's call marked as the sink's. */
    private record Delivery(FrameDecoder.Sink sink) implements FrameDecoder.Sink {
        @Override public void frame(DecodedFrame frame, long inputOffset) {
            try {
                sink.frame(frame, inputOffset);
            } catch (RuntimeException e) {
                throw new SinkFault(e);
            }
        }

        @Override public void error(DecodeException error, long inputOffset) {
            try {
                sink.error(error, inputOffset);
            } catch (RuntimeException e) {
                throw new SinkFault(e);
            }
        }
    }

    /** A sink's own RuntimeException on its way through a decoder call, so that it is not taken for a decoder fault. */
    private static final class SinkFault extends RuntimeException {
        final RuntimeException fault;

        SinkFault(RuntimeException fault) {
            super(null, fault, false, false);
            this.fault = fault;
        }
    }
}
