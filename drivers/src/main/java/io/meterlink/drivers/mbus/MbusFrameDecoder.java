package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.Fact;
import io.meterlink.core.api.driver.FrameDecoder;

import java.util.ArrayList;
import java.util.List;

/** Offline decoding of wired M-Bus frames (one frame per hex line) for {@code meterlink decode}. Stateless. */
public final class MbusFrameDecoder implements FrameDecoder {
    @Override public String protocol() { return "mbus"; }

    @Override public Input input() { return Input.FRAME_PER_LINE; }

    /** EN 13757-2 §5.2: E5 alone, short frame 10 C A CS 16, long frame 68 L L 68 … CS 16 with L+6 bytes. */
    @Override
    public int detect(byte[] b) {
        return isWired(b) ? 100 : 0;
    }

    public static boolean isWired(byte[] b) {
        if (b.length == 0) return false;
        int first = b[0] & 0xFF, last = b[b.length - 1] & 0xFF;
        if (b.length == 1 && first == 0xE5) return true;
        if (first == 0x10 && b.length == 5 && last == 0x16) return true;
        return first == 0x68 && b.length >= 4 && (b[3] & 0xFF) == 0x68 && last == 0x16 && b.length == (b[1] & 0xFF) + 6;
    }

    @Override
    public Session open(Options options) {
        MbusDecoder decoder = new MbusDecoder();
        return new Session() {
            @Override public DecodedFrame decode(byte[] frame) throws DecodeException { return decodeFrame(frame, decoder); }
        };
    }

    private DecodedFrame decodeFrame(byte[] bytes, MbusDecoder decoder) throws DecodeException {
        MbusFrame f = MbusFramer.parse(bytes);
        List<Fact> h = new ArrayList<>();
        if (f instanceof MbusFrame.Ack) {
            h.add(new Fact("frame", "ack"));
            return new DecodedFrame(protocol(), h, null, List.of());
        }
        if (f instanceof MbusFrame.Short s) {
            h.add(new Fact("frame", "short"));
            h.add(new Fact("c", String.format("%02X", s.control())));
            h.add(new Fact("a", s.address()));
            return new DecodedFrame(protocol(), h, null, List.of());
        }
        MbusFrame.Long l = (MbusFrame.Long) f;
        if (l.dataLength() == 0 && l.ci() != 0x70) { // control frame (EN 13757-2 §5.2), e.g. SND_UD with CI only
            h.add(new Fact("frame", "control"));
            h.add(new Fact("c", String.format("%02X", l.control())));
            h.add(new Fact("a", l.address()));
            h.add(new Fact("ci", String.format("%02X", l.ci())));
            return new DecodedFrame(protocol(), h, null, List.of());
        }
        MbusTelegram t = decoder.decode(l);
        var th = t.header();
        h.addAll(MbusFacts.header(th.id(), th.manufacturer(), th.version(), th.medium(), th.accessNumber(), th.status()));
        h.add(new Fact("frame", "wired"));
        h.add(new Fact("address", t.address()));
        return new DecodedFrame(protocol(), h, MbusFacts.records(t.records()),
                MbusFacts.trailer(t.moreRecordsFollow(), t.manufacturerData(), t.undecoded()));
    }
}
