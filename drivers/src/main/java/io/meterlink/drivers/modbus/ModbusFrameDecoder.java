package io.meterlink.drivers.modbus;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;
import io.meterlink.core.api.driver.FrameDecoder;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code meterlink decode --protocol modbus --profile FILE}: a register dump in, the profile's values
 * out. The dump is text, one read per line (docs/modbus.md, "Register dumps"):
 * <pre>
 * # comment
 * unit 3                         optional: the slave id, shown in the output
 * 4 0x0000 436B 0000 4369 0000   function code, first address, then one 4-hex-digit word per register
 * 1 16 1 0 1 1                   function codes 1/2: one 0/1 per bit
 *                                an empty line ends one meter's dump (one output object)
 * </pre>
 * The profile is a file, or the name of a shipped profile ({@link FrameDecoder#open(Options, Map)}
 * parameter {@link FrameDecoder#PROFILE}). Thread-safe; sessions are not.
 */
public final class ModbusFrameDecoder implements FrameDecoder {
    /** Longest dump line read. */
    static final int MAX_LINE = 64 * 1024;

    @Override public String protocol() { return "modbus"; }

    @Override public Input input() { return Input.BYTE_STREAM; }

    /** A register dump is plain text that looks like many other things: only chosen with {@code --protocol modbus}. */
    @Override public int detect(byte[] sample) { return 0; }

    @Override
    public Session open(Options options) {
        throw new IllegalArgumentException("--protocol modbus needs --profile FILE (a profile file, or a shipped profile: "
                + String.join(", ", ProfileCatalog.shippedNames()) + ")");
    }

    @Override
    public Session open(Options options, Map<String, String> parameters) {
        String p = parameters.get(PROFILE);
        if (p == null) return open(options);
        MeterProfile profile = p.endsWith(".yaml") ? null : ProfileCatalog.shipped().find(p);
        if (profile == null) {
            ProfileLoader.Result r = ProfileLoader.load(Path.of(p));
            if (!r.ok()) {
                throw new IllegalArgumentException("bad profile:\n" + r.errors().stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
            }
            profile = r.profile();
        }
        return new DumpSession(profile);
    }

    /** Decodes one dump text with {@code profile} (tests, the simulator's self-checks). */
    public static List<DecodedFrame> decode(MeterProfile profile, String dump, List<DecodeException> errors) {
        List<DecodedFrame> frames = new ArrayList<>();
        DumpSession s = new DumpSession(profile);
        Sink sink = new Sink() {
            @Override public void frame(DecodedFrame frame, long inputOffset) { frames.add(frame); }

            @Override public void error(DecodeException error, long inputOffset) { errors.add(error); }
        };
        byte[] b = dump.getBytes(StandardCharsets.UTF_8);
        s.feed(b, 0, b.length, sink);
        s.end(sink);
        return frames;
    }

    private static final class DumpSession implements Session {
        private final MeterProfile profile;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private boolean lineTooLong;
        private long offset;
        private long lineStart;
        private long dumpStart = -1;
        private RegisterImage image = new RegisterImage();
        private Integer unit;

        DumpSession(MeterProfile profile) { this.profile = profile; }

        @Override
        public void feed(byte[] bytes, int off, int length, Sink sink) {
            for (int i = off; i < off + length; i++, offset++) {
                byte c = bytes[i];
                if (c == '\n') {
                    line(sink);
                    lineStart = offset + 1;
                } else if (line.size() < MAX_LINE) {
                    line.write(c);
                } else {
                    lineTooLong = true;
                }
            }
        }

        @Override
        public void end(Sink sink) {
            if (line.size() > 0 || lineTooLong) line(sink);
            flush(sink);
        }

        private void line(Sink sink) {
            String text = line.toString(StandardCharsets.UTF_8).strip();
            boolean tooLong = lineTooLong;
            line.reset();
            lineTooLong = false;
            if (tooLong) {
                sink.error(new DecodeException(DecodeException.Kind.LENGTH, "line longer than " + MAX_LINE + " bytes"), lineStart);
                return;
            }
            if (text.isEmpty()) {
                flush(sink);
                return;
            }
            if (text.startsWith("#")) return;
            if (dumpStart < 0) dumpStart = lineStart;
            try {
                parse(text);
            } catch (DecodeException e) {
                sink.error(e, lineStart);
            }
        }

        private void parse(String text) throws DecodeException {
            String[] t = text.split("\\s+");
            if (t[0].toLowerCase(Locale.ROOT).equals("unit")) {
                if (t.length != 2) throw syntax("expected 'unit N'");
                unit = number(t[1], 0, 255, "unit id");
                return;
            }
            if (t.length < 3) throw syntax("expected 'FC ADDRESS WORD…' (e.g. '4 0x0000 436B 0000')");
            int fc = number(t[0], 1, 4, "function code");
            int start = number(t[1], 0, 0xFFFF, "address");
            int[] words = new int[t.length - 2];
            if (start + words.length > 0x10000) throw syntax("registers run past address 65535");
            for (int i = 0; i < words.length; i++) {
                String w = t[i + 2];
                if (fc <= 2) {
                    if (!w.equals("0") && !w.equals("1")) throw syntax("function code " + fc + " reads bits: expected 0 or 1, got '" + clip(w) + "'");
                    words[i] = w.charAt(0) - '0';
                } else {
                    if (w.length() != 4) throw syntax("a register is 4 hex digits, got '" + clip(w) + "'");
                    try {
                        words[i] = Integer.parseInt(w, 16);
                    } catch (NumberFormatException e) {
                        throw syntax("not hex: '" + clip(w) + "'");
                    }
                }
            }
            image.put(fc, start, words);
        }

        private void flush(Sink sink) {
            if (image.isEmpty()) {
                unit = null;
                dumpStart = -1;
                return;
            }
            List<DecodeException> errors = new ArrayList<>();
            List<DecodedRecord> records = profile.records(image, (v, e) -> errors.add(
                    new DecodeException(e.kind(), v.name() + ": " + e.getMessage())));
            long at = dumpStart < 0 ? 0 : dumpStart;
            for (DecodeException e : errors) sink.error(e, at);
            List<Fact> header = new ArrayList<>();
            header.add(new Fact("profile", profile.name()));
            header.add(new Fact("manufacturer", profile.manufacturer()));
            header.add(new Fact("model", profile.model()));
            if (unit != null) header.add(new Fact("unit", unit));
            sink.frame(new DecodedFrame("modbus", header, records, List.of()), at);
            image = new RegisterImage();
            unit = null;
            dumpStart = -1;
        }

        private static int number(String s, int min, int max, String what) throws DecodeException {
            try {
                int v = Integer.decode(s);
                if (v < min || v > max) throw syntax(what + " must be " + min + ".." + max + ", got " + clip(s));
                return v;
            } catch (NumberFormatException e) {
                throw syntax("expected a " + what + " (decimal or 0x hex), got '" + clip(s) + "'");
            }
        }

        private static String clip(String s) { return s.length() > 16 ? s.substring(0, 16) + "…" : s; }

        private static DecodeException syntax(String m) { return new DecodeException(DecodeException.Kind.SYNTAX, m); }
    }
}
