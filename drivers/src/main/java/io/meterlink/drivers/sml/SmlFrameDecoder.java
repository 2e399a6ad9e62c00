package io.meterlink.drivers.sml;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.obis.FrameCutter;

/** Offline decoding of SML byte streams (one decoded frame per complete SML file) for {@code meterlink decode}. */
public final class SmlFrameDecoder implements FrameDecoder {
    @Override public String protocol() { return SmlFileDecoder.PROTOCOL; }

    @Override public Input input() { return Input.BYTE_STREAM; }

    /** An SML start escape anywhere in the sample. */
    @Override
    public int detect(byte[] s) {
        for (int i = 0; i + 8 <= s.length; i++) {
            if (s[i] == 0x1B && s[i + 1] == 0x1B && s[i + 2] == 0x1B && s[i + 3] == 0x1B
                    && s[i + 4] == 1 && s[i + 5] == 1 && s[i + 6] == 1 && s[i + 7] == 1) return 100;
        }
        return 0;
    }

    @Override
    public Session open(Options options) {
        SmlTransport transport = new SmlTransport();
        return new Session() {
            @Override
            public void feed(byte[] bytes, int offset, int length, Sink sink) {
                transport.feed(bytes, offset, length, listener(sink));
            }

            @Override
            public void end(Sink sink) { transport.end(listener(sink)); }
        };
    }

    private static FrameCutter.Listener listener(Sink sink) {
        return new FrameCutter.Listener() {
            @Override
            public void frame(byte[] data, long offset) {
                try {
                    sink.frame(SmlFileDecoder.decode(data), offset);
                } catch (DecodeException e) {
                    sink.error(e, offset);
                }
            }

            @Override
            public void error(DecodeException e, long offset) { sink.error(e, offset); }
        };
    }
}
