package io.meterlink.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.MbusDecoder;
import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.MbusFramer;
import io.meterlink.drivers.mbus.MbusTelegram;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;

/**
 * {@code meterlink decode}: hex frames in, one JSON object per input line out. Wired M-Bus frames
 * (68 … 16, 10 … 16, E5) are recognised by their start and stop bytes; everything else is treated
 * as a wireless M-Bus frame. Never stops on bad input.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Decodes hex frames read from stdin (one per line, spaces allowed) and writes one JSON object per line.",
                "Wired M-Bus (68 … 16, 10 … 16, E5) and wireless M-Bus are told apart by themselves.",
                "A line that cannot be decoded gives {\"error\":\"…\",\"input_line\":N}.",
                "Lines longer than 64 KiB are skipped unread: {\"error\":\"line_too_long: …\",\"input_line\":N}."})
final class DecodeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ArgGroup(exclusive = true)
    Keys keys;
    @Option(names = "--input", paramLabel = "FILE", description = "read FILE instead of stdin")
    Path input;

    static final class Keys {
        @Option(names = "--key", paramLabel = "HEX", description = "AES-128 key (32 hex digits) for every encrypted meter")
        String key;
        @Option(names = "--keys", paramLabel = "FILE", description = "keys file: one '<id> <32 hex>' per line")
        Path file;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        mapper.enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        FrameJson json = new FrameJson(mapper);
        WirelessFrames wireless;
        try {
            wireless = WirelessDecoding.create(json, keys == null ? null : keys.key == null ? null : Secret.of(keys.key),
                    keys == null ? null : keys.file);
        } catch (IllegalArgumentException | IOException e) {
            spec.commandLine().getErr().println("meterlink decode: " + e.getMessage());
            return Main.USAGE;
        }
        MbusDecoder wired = new MbusDecoder();
        try (InputStream in = input == null ? System.in : Files.newInputStream(input);
             BoundedLineReader r = new BoundedLineReader(in, BoundedLineReader.DEFAULT_MAX_BYTES)) {
            BoundedLineReader.Line line;
            int n = 0;
            while ((line = r.next()) != null) {
                n++;
                ObjectNode o = line.tooLong()
                        ? json.error("line_too_long: " + line.length() + " bytes, more than the limit of "
                                + BoundedLineReader.DEFAULT_MAX_BYTES + " (skipped)", n)
                        : decodeLine(line.text(), n, json, wired, wireless);
                out.println(mapper.writeValueAsString(o));
            }
            out.flush();
        }
        return Main.OK;
    }

    static ObjectNode decodeLine(String line, int n, FrameJson json, MbusDecoder wired, WirelessFrames wireless) {
        byte[] bytes;
        try {
            bytes = HexFormat.of().parseHex(line.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            return json.error("not hex: " + e.getMessage(), n);
        }
        if (bytes.length == 0) return json.error("empty line", n);
        try {
            if (isWired(bytes)) return wired(bytes, json, wired);
            return wireless.decode(bytes);
        } catch (DecodeException e) {
            return json.error(e.kind().name().toLowerCase(java.util.Locale.ROOT) + ": " + e.getMessage(), n);
        } catch (RuntimeException e) { // a decoder bug must not stop the stream
            return json.error("internal: " + e, n);
        }
    }

    /** EN 13757-2 §5.2: E5 alone, short frame 10 C A CS 16, long frame 68 L L 68 … CS 16 with L+6 bytes. */
    static boolean isWired(byte[] b) {
        int first = b[0] & 0xFF, last = b[b.length - 1] & 0xFF;
        if (b.length == 1 && first == 0xE5) return true;
        if (first == 0x10 && b.length == 5 && last == 0x16) return true;
        return first == 0x68 && b.length >= 4 && (b[3] & 0xFF) == 0x68 && last == 0x16 && b.length == (b[1] & 0xFF) + 6;
    }

    private static ObjectNode wired(byte[] bytes, FrameJson json, MbusDecoder decoder) throws DecodeException {
        MbusFrame f = MbusFramer.parse(bytes);
        if (f instanceof MbusFrame.Ack) {
            ObjectNode o = json.header(null, null, -1, -1, -1, -1);
            o.put("frame", "ack");
            return o;
        }
        if (f instanceof MbusFrame.Short s) {
            ObjectNode o = json.header(null, null, -1, -1, -1, -1);
            o.put("frame", "short");
            o.put("c", String.format("%02X", s.control()));
            o.put("a", s.address());
            return o;
        }
        MbusFrame.Long l = (MbusFrame.Long) f;
        if (l.dataLength() == 0 && l.ci() != 0x70) { // control frame (EN 13757-2 §5.2), e.g. SND_UD with CI only
            ObjectNode o = json.header(null, null, -1, -1, -1, -1);
            o.put("frame", "control");
            o.put("c", String.format("%02X", l.control()));
            o.put("a", l.address());
            o.put("ci", String.format("%02X", l.ci()));
            return o;
        }
        MbusTelegram t = decoder.decode(l);
        var h = t.header();
        ObjectNode o = json.header(h.id(), h.manufacturer(), h.version(), h.medium(), h.accessNumber(), h.status());
        o.put("frame", "wired");
        o.put("address", t.address());
        json.records(o, t.records(), t.moreRecordsFollow(), t.manufacturerData(), t.undecoded());
        return o;
    }
}
