package io.meterlink.drivers.testing;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.FrameDecoder;

import java.util.ArrayList;
import java.util.List;

/** Runs a byte-stream {@link FrameDecoder} over bytes (in chunks of {@code chunk}) and keeps what it reports, in order. */
public final class StreamDecoding {
    /** A frame or an error, with its input offset. */
    public record Outcome(DecodedFrame frame, DecodeException error, long offset) { }

    private StreamDecoding() {}

    public static List<Outcome> run(FrameDecoder decoder, FrameDecoder.Options options, byte[] bytes, int chunk) {
        List<Outcome> out = new ArrayList<>();
        FrameDecoder.Sink sink = new FrameDecoder.Sink() {
            @Override public void frame(DecodedFrame frame, long offset) { out.add(new Outcome(frame, null, offset)); }

            @Override public void error(DecodeException error, long offset) { out.add(new Outcome(null, error, offset)); }
        };
        FrameDecoder.Session s = decoder.open(options);
        for (int i = 0; i < bytes.length; i += chunk) s.feed(bytes, i, Math.min(chunk, bytes.length - i), sink);
        s.end(sink);
        return out;
    }

    public static List<Outcome> run(FrameDecoder decoder, byte[] bytes) {
        return run(decoder, FrameDecoder.Options.none(), bytes, bytes.length == 0 ? 1 : bytes.length);
    }

    public static List<DecodedFrame> frames(List<Outcome> outcomes) {
        return outcomes.stream().filter(o -> o.frame() != null).map(Outcome::frame).toList();
    }
}
