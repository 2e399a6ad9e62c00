package io.meterlink.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code meterlink decode}: captured frames in, one JSON object per frame out. The decoders are the
 * drivers' {@link FrameDecoder}s found through {@link ServiceLoader}; this command names none. Hex
 * lines (M-Bus, wM-Bus) are decoded one frame per line, each line given to the decoder that
 * recognises it best; other families (P1, SML, IEC 62056-21) read a raw byte stream (or hex text with
 * {@code --hex}). Never stops on bad input.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Decodes frames read from stdin and writes one JSON object per frame.",
                "Without --protocol, hex lines (one frame per line, spaces allowed) are told apart by themselves: wired M-Bus (68 … 16, 10 … 16, E5), otherwise wireless M-Bus.",
                "Raw bytes (P1, SML, IEC 62056-21 readouts) are recognised by their start.",
                "A line that cannot be decoded gives {\"error\":\"…\",\"input_line\":N}.",
                "A bad frame in a byte stream gives {\"error\":\"…\",\"input_offset\":N}.",
                "Hex lines longer than 64 KiB are skipped unread: {\"error\":\"line_too_long: …\",\"input_line\":N}.",
                "Radio samples: --iq FILE [--sample-rate S/s] with --protocol ert (ERT SCM/SCM+/IDM/NetIDM, R900): one object per packet.",
                "Modbus register dumps ('FC ADDRESS WORD…' lines, an empty line between meters): --protocol modbus --profile FILE|NAME (docs/modbus.md)."})
final class DecodeCommand implements Callable<Integer> {
    private static final int SAMPLE = 4096;

    @Spec CommandSpec spec;
    @ArgGroup(exclusive = true)
    Keys keys;
    @Option(names = "--input", paramLabel = "FILE", description = "read FILE instead of stdin")
    Path input;
    @Option(names = "--protocol", paramLabel = "NAME", description = "decode as NAME (mbus, wmbus, p1, sml, iec62056-21, …) instead of detecting it")
    String protocol;
    @Option(names = "--hex", description = "the byte stream is hex text (for byte-stream protocols such as p1, sml, iec62056-21)")
    boolean hex;
    @Option(names = "--auth-key", paramLabel = "HEX", description = "authentication key (32 hex digits), e.g. for encrypted P1")
    String authKey;
    @Option(names = "--iq", paramLabel = "FILE", description = "radio samples to demodulate (.cu8/.bin: unsigned 8-bit I/Q as rtl_sdr writes it; .cs16: signed 16-bit), e.g. --protocol ert")
    Path iq;
    @Option(names = "--sample-rate", paramLabel = "S/s", description = "samples per second of --iq (default: the decoder's, 2359296 for ert)")
    Long sampleRate;
    @Option(names = "--sample-format", paramLabel = "FMT", description = "cu8 or cs16; default from the --iq file name")
    String sampleFormat;
    @Option(names = "--profile", paramLabel = "FILE", description = "the meter's layout for decoders that need one, e.g. a Modbus register map (a profile file or a shipped profile's name) with --protocol modbus")
    String profile;
    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "a decoder parameter (repeatable), passed to the decoder as is")
    Map<String, String> params;

    static final class Keys {
        @Option(names = "--key", paramLabel = "HEX", description = "key for every encrypted meter: AES-128 as 32 hex digits, or DES (wM-Bus mode 2) as des: and 16 hex digits")
        String key;
        @Option(names = "--keys", paramLabel = "FILE", description = "keys file: one '<id> <key>' per line, the key as for --key")
        Path file;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        mapper.enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        FrameJson json = new FrameJson(mapper);
        Map<String, FrameDecoder> decoders = decoders();
        if (protocol != null && !decoders.containsKey(protocol)) {
            return usage("unknown protocol '" + protocol + "'; known: " + String.join(", ", decoders.keySet()));
        }
        if (iq != null || sampleRate != null || sampleFormat != null) return iq(decoders, out, json, mapper);
        FrameDecoder.Options options = new FrameDecoder.Options(keys == null || keys.key == null ? null : Secret.of(keys.key),
                authKey == null ? null : Secret.of(authKey), keys == null ? null : keys.file);
        try (InputStream raw = input == null ? System.in : Files.newInputStream(input);
             BufferedInputStream in = new BufferedInputStream(raw, SAMPLE)) {
            FrameDecoder chosen = protocol != null ? decoders.get(protocol) : null;
            if (chosen != null && chosen.input() == FrameDecoder.Input.IQ) return usage("--protocol " + protocol + " reads radio samples: give them with --iq FILE");
            if (chosen == null) chosen = detectStream(decoders, sample(in, hex)); // else: hex lines, one frame each
            List<FrameDecoder> lineDecoders = new ArrayList<>();
            if (chosen != null && chosen.input() == FrameDecoder.Input.FRAME_PER_LINE) lineDecoders.add(chosen);
            if (chosen == null) {
                for (FrameDecoder d : decoders.values()) {
                    if (d.input() == FrameDecoder.Input.FRAME_PER_LINE) lineDecoders.add(d);
                }
            }
            List<FrameDecoder.Session> sessions = new ArrayList<>();
            try {
                if (!lineDecoders.isEmpty()) {
                    for (FrameDecoder d : lineDecoders) sessions.add(d.open(options, parameters()));
                } else {
                    sessions.add(chosen.open(options, parameters()));
                }
            } catch (IllegalArgumentException e) {
                return usage(e.getMessage());
            } catch (UncheckedIOException e) {
                return usage(e.getCause().getMessage());
            }
            if (lineDecoders.isEmpty()) {
                stream(in, sessions.get(0), json, mapper, out);
                return Main.OK;
            }
            BoundedLineReader r = new BoundedLineReader(in, BoundedLineReader.DEFAULT_MAX_BYTES);
            BoundedLineReader.Line line;
            int n = 0;
            while ((line = r.next()) != null) {
                n++;
                ObjectNode o = line.tooLong()
                        ? json.error("line_too_long: " + line.length() + " bytes, more than the limit of "
                                + BoundedLineReader.DEFAULT_MAX_BYTES + " (skipped)", "input_line", n)
                        : decodeLine(line.text(), n, json, lineDecoders, sessions);
                out.println(mapper.writeValueAsString(o));
            }
            out.flush();
        }
        return Main.OK;
    }

    /** The decoder parameters of the command line: {@code --param KEY=VALUE}s and {@code --profile}. */
    private Map<String, String> parameters() {
        Map<String, String> out = new TreeMap<>();
        if (params != null) out.putAll(params);
        if (profile != null) out.put(FrameDecoder.PROFILE, profile);
        return out;
    }

    /** {@code --iq FILE}: radio samples through the decoder that reads them ({@link FrameDecoder.Input#IQ}). */
    private int iq(Map<String, FrameDecoder> decoders, PrintWriter out, FrameJson json, ObjectMapper mapper) throws IOException {
        if (iq == null) return usage("--sample-rate and --sample-format go with --iq FILE");
        if (input != null || hex) return usage("--iq reads its own file; leave out --input and --hex");
        List<String> iqDecoders = new ArrayList<>();
        for (FrameDecoder d : decoders.values()) if (d.input() == FrameDecoder.Input.IQ) iqDecoders.add(d.protocol());
        String name = protocol;
        if (name == null && iqDecoders.size() == 1) name = iqDecoders.get(0);
        if (name == null || !iqDecoders.contains(name)) {
            return usage("--iq needs --protocol with a decoder of radio samples; known: " + String.join(", ", iqDecoders));
        }
        String format = sampleFormat;
        String file = iq.getFileName().toString().toLowerCase(Locale.ROOT);
        if (format == null) {
            if (file.endsWith(".cu8") || file.endsWith(".bin")) format = "cu8";
            else if (file.endsWith(".cs16")) format = "cs16";
            else return usage("cannot tell the sample format of " + iq + " by its name (.cu8, .bin, .cs16): give --sample-format cu8|cs16");
        }
        if (!Files.isRegularFile(iq) || !Files.isReadable(iq)) return usage("cannot read " + iq);
        Map<String, String> parameters = new TreeMap<>();
        parameters.put(FrameDecoder.SAMPLE_FORMAT, format);
        if (sampleRate != null) parameters.put(FrameDecoder.SAMPLE_RATE, Long.toString(sampleRate));
        FrameDecoder.Session session;
        try {
            session = decoders.get(name).open(FrameDecoder.Options.none(), parameters);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        try (InputStream in = Files.newInputStream(iq)) {
            stream(in, session, json, mapper, out);
        }
        return Main.OK;
    }

    private int usage(String message) {
        spec.commandLine().getErr().println("meterlink decode: " + message);
        return Main.USAGE;
    }

    /** Every decoder offered by a driver on the class path, by protocol name. */
    static Map<String, FrameDecoder> decoders() {
        Map<String, FrameDecoder> out = new TreeMap<>();
        for (DriverFactory f : ServiceLoader.load(DriverFactory.class)) {
            f.decoder().ifPresent(d -> out.putIfAbsent(d.protocol(), d));
        }
        return out;
    }

    /** The byte-stream decoder most sure of {@code sample}, or {@code null}. */
    static FrameDecoder detectStream(Map<String, FrameDecoder> decoders, byte[] sample) {
        FrameDecoder best = null;
        int bestScore = 0;
        for (FrameDecoder d : decoders.values()) {
            if (d.input() != FrameDecoder.Input.BYTE_STREAM) continue;
            int score = d.detect(sample);
            if (score > bestScore) {
                best = d;
                bestScore = score;
            }
        }
        return best;
    }

    /** The first bytes of the input, left unread; as bytes when {@code hex}. */
    private static byte[] sample(BufferedInputStream in, boolean hex) throws IOException {
        in.mark(SAMPLE);
        byte[] b = in.readNBytes(SAMPLE);
        in.reset();
        if (!hex) return b;
        byte[] out = new byte[b.length / 2 + 1];
        int n = new HexText().convert(b, b.length, out);
        return java.util.Arrays.copyOf(out, n);
    }

    private void stream(InputStream in, FrameDecoder.Session session, FrameJson json, ObjectMapper mapper, PrintWriter out) throws IOException {
        FrameDecoder.Sink sink = new FrameDecoder.Sink() {
            @Override public void frame(DecodedFrame frame, long offset) { print(mapper, out, json.frame(frame)); }

            @Override public void error(DecodeException e, long offset) { print(mapper, out, json.error(reason(e), "input_offset", offset)); }
        };
        HexText text = hex ? new HexText() : null;
        byte[] buf = new byte[8192];
        byte[] bytes = hex ? new byte[buf.length / 2 + 1] : buf;
        int n;
        while ((n = in.read(buf)) > 0) {
            int len = text == null ? n : text.convert(buf, n, bytes);
            try {
                session.feed(bytes, 0, len, sink);
            } catch (RuntimeException e) { // a decoder bug must not stop the stream
                print(mapper, out, json.error("internal: " + e, "input_offset", -1));
            }
        }
        session.end(sink);
        if (text != null && text.skipped() > 0) {
            print(mapper, out, json.error("syntax: " + text.skipped() + " characters of the input were not hex and were skipped", "input_offset", -1));
        }
        out.flush();
    }

    private static void print(ObjectMapper mapper, PrintWriter out, ObjectNode o) {
        try {
            out.println(mapper.writeValueAsString(o));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String reason(DecodeException e) {
        return e.kind().name().toLowerCase(Locale.ROOT) + ": " + e.getMessage();
    }

    static ObjectNode decodeLine(String line, int n, FrameJson json, List<FrameDecoder> decoders, List<FrameDecoder.Session> sessions) {
        byte[] bytes;
        try {
            bytes = HexFormat.of().parseHex(line.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            return json.error("not hex: " + e.getMessage(), "input_line", n);
        }
        if (bytes.length == 0) return json.error("empty line", "input_line", n);
        int best = -1, bestScore = 0;
        for (int i = 0; i < decoders.size(); i++) {
            int score = decoders.size() == 1 ? 1 : decoders.get(i).detect(bytes);
            if (score > bestScore) {
                best = i;
                bestScore = score;
            }
        }
        if (best < 0) return json.error("unsupported: no decoder recognises this frame", "input_line", n);
        try {
            return json.frame(sessions.get(best).decode(bytes));
        } catch (DecodeException e) {
            return json.error(reason(e), "input_line", n);
        } catch (RuntimeException e) { // a decoder bug must not stop the stream
            return json.error("internal: " + e, "input_line", n);
        }
    }
}
