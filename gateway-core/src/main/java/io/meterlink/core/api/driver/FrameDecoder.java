package io.meterlink.core.api.driver;

import io.meterlink.core.api.config.Secret;

import java.nio.file.Path;
import java.util.Map;

/**
 * Offline decoding of one meter family, offered by its {@link DriverFactory#decoder()}: what
 * {@code meterlink decode} uses to turn captured bytes into {@link DecodedFrame}s without a meter or
 * a line. A decoder is either fed one whole frame at a time ({@link Input#FRAME_PER_LINE}, e.g. hex
 * M-Bus frames one per line) or a raw byte stream that it cuts into frames itself
 * ({@link Input#BYTE_STREAM}, e.g. P1 telegrams, SML files). Thread-safe; its sessions are not.
 */
public interface FrameDecoder {
    /**
     * How input reaches a session. {@link #IQ}: radio samples (e.g. {@code meterlink decode --iq FILE}),
     * fed like a byte stream to a session opened with {@link #open(Options, Map)} and the sample parameters.
     */
    enum Input { FRAME_PER_LINE, BYTE_STREAM, IQ }

    /** The protocol name for {@code --protocol}, the family's {@link DriverFactory#type()}, e.g. {@code sml}. */
    String protocol();

    Input input();

    /**
     * How sure this decoder is that {@code sample} is its protocol: 0 = not mine, higher = surer. For
     * {@link Input#FRAME_PER_LINE} the sample is one frame; for {@link Input#BYTE_STREAM} the start of
     * the stream. The highest score wins; a tie goes to the first decoder by protocol name.
     */
    int detect(byte[] sample);

    /**
     * A session keeps what a stream needs across frames (keys, compact-frame formats, a half-read
     * telegram). Throws {@link IllegalArgumentException} for unusable options; its message never holds a key.
     */
    Session open(Options options);

    /**
     * Parameter of sessions of families whose frames need the meter's layout to be read (e.g. a Modbus
     * register map): a file, or the name of a layout the family ships ({@code meterlink decode --profile}).
     */
    String PROFILE = "profile";
    /** Parameter of {@link Input#IQ} sessions: samples per second, e.g. {@code 2359296}. */
    String SAMPLE_RATE = "sample_rate";
    /** Parameter of {@link Input#IQ} sessions: {@code cu8} (unsigned 8-bit I/Q, as rtl_tcp) or {@code cs16} (signed 16-bit little-endian). */
    String SAMPLE_FORMAT = "sample_format";

    /**
     * {@link #open(Options)} with family-specific parameters from the command line (absent keys take
     * the family's defaults), e.g. {@link #SAMPLE_RATE} and {@link #SAMPLE_FORMAT} for {@link Input#IQ}.
     * Throws {@link IllegalArgumentException} for an unusable parameter.
     */
    default Session open(Options options, Map<String, String> parameters) {
        return open(options);
    }

    /**
     * Options from the command line; every field may be {@code null}.
     *
     * @param key               a key for every meter (AES-128: 32 hex digits), e.g. wM-Bus or P1 encryption key
     * @param authenticationKey a second key where the family has one (P1 authentication key)
     * @param keysFile          a file of per-meter keys in the family's format
     */
    record Options(Secret key, Secret authenticationKey, Path keysFile) {
        public static Options none() { return new Options(null, null, null); }
    }

    /** Where a {@link Input#BYTE_STREAM} session puts what it found, with the byte offset where it began. */
    interface Sink {
        void frame(DecodedFrame frame, long inputOffset);

        void error(DecodeException error, long inputOffset);
    }

    /** One decoding pass over one input. Not thread-safe. */
    interface Session {
        /** {@link Input#FRAME_PER_LINE}: decodes one whole frame. */
        default DecodedFrame decode(byte[] frame) throws DecodeException {
            throw new UnsupportedOperationException("this decoder reads a byte stream");
        }

        /** {@link Input#BYTE_STREAM} and {@link Input#IQ}: takes the next bytes of the stream; reports every complete frame or error. */
        default void feed(byte[] bytes, int offset, int length, Sink sink) {
            throw new UnsupportedOperationException("this decoder reads one frame per line");
        }

        /** {@link Input#BYTE_STREAM}: the stream ended; reports what is left (e.g. a truncated frame). */
        default void end(Sink sink) { }
    }
}
