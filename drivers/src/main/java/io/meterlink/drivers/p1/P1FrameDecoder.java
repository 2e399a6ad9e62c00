package io.meterlink.drivers.p1;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.obis.FrameCutter;
import io.meterlink.drivers.iec62056.ReadoutFramer;

import java.nio.charset.StandardCharsets;

/**
 * Offline decoding of DSMR P1 streams for {@code meterlink decode --protocol p1}: one decoded frame
 * per telegram. With {@code --key} (and {@code --auth-key}) the stream is encrypted P1 (DLMS
 * general-global-cipher frames, see {@link GcmFrames}); each decrypted telegram is decoded as a
 * plain one. Detected by DSMR's own data sets (version 1-3:0.2.8, equipment id 0-0:96.1.1, time
 * 0-0:1.0.0) or by a general-global-cipher frame.
 */
public final class P1FrameDecoder implements FrameDecoder {
    private static final String[] MARKERS = {"1-3:0.2.8(", "0-0:96.1.1(", "0-0:1.0.0(", "0-0:96.1.4("};

    @Override public String protocol() { return P1Telegrams.PROTOCOL; }

    @Override public Input input() { return Input.BYTE_STREAM; }

    @Override
    public int detect(byte[] s) {
        if (s.length > 11 && (s[0] & 0xFF) == 0xDB && s[1] == 8) return 90;
        String text = new String(s, StandardCharsets.ISO_8859_1);
        if (text.indexOf('/') < 0) return 0;
        for (String m : MARKERS) {
            if (text.contains(m)) return 90;
        }
        return 0;
    }

    @Override
    public Session open(Options options) {
        ReadoutFramer framer = new ReadoutFramer();
        GcmFrames gcm = options.key() == null ? null : new GcmFrames(options.key(), options.authenticationKey());
        return new Session() {
            @Override
            public void feed(byte[] bytes, int offset, int length, Sink sink) {
                if (gcm == null) framer.feed(bytes, offset, length, plain(sink, 0));
                else gcm.feed(bytes, offset, length, encrypted(sink, framer));
            }

            @Override
            public void end(Sink sink) {
                if (gcm != null) gcm.end(encrypted(sink, framer));
                framer.end(plain(sink, 0));
            }
        };
    }

    private static GcmFrames.Listener encrypted(Sink sink, ReadoutFramer framer) {
        return new GcmFrames.Listener() {
            @Override
            public void plaintext(byte[] telegram, long offset) {
                FrameCutter.Listener l = plain(sink, offset); // offsets of a decrypted telegram are those of its frame
                framer.feed(telegram, 0, telegram.length, l);
                framer.end(l);
            }

            @Override public void error(DecodeException e, long offset) { sink.error(e, offset); }
        };
    }

    private static FrameCutter.Listener plain(Sink sink, long frameOffset) {
        return new FrameCutter.Listener() {
            @Override
            public void frame(byte[] bytes, long offset) {
                long at = frameOffset > 0 ? frameOffset : offset;
                try {
                    sink.frame(P1Telegrams.decode(bytes), at);
                } catch (DecodeException e) {
                    sink.error(e, at);
                }
            }

            @Override public void error(DecodeException e, long offset) { sink.error(e, frameOffset > 0 ? frameOffset : offset); }
        };
    }
}
