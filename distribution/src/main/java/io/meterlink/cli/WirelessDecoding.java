package io.meterlink.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.config.Secret;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.wmbus.KeyLookup;
import io.meterlink.drivers.wmbus.WmbusDecoder;
import io.meterlink.drivers.wmbus.WmbusTelegram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Builds the wireless part of {@code meterlink decode} from the key options. */
final class WirelessDecoding {
    private static final Pattern ID = Pattern.compile("[0-9A-Fa-f]{8}");
    private static final Pattern KEY = Pattern.compile("[0-9A-Fa-f]{32}");

    private WirelessDecoding() {}

    /**
     * @param key  one key for every meter, or {@code null}
     * @param file keys file ({@code <id> <32 hex>} per line, {@code #} comments), or {@code null}
     * @throws IllegalArgumentException for a malformed key or keys-file line (the message never holds a key)
     */
    static WirelessFrames create(FrameJson json, Secret key, Path file) throws IOException {
        KeyLookup keys = KeyLookup.none();
        if (key != null) {
            if (!KEY.matcher(new String(key.reveal())).matches()) {
                throw new IllegalArgumentException("--key must be 32 hex digits (AES-128)");
            }
            keys = KeyLookup.always(key);
        } else if (file != null) {
            keys = KeyLookup.byId(readKeys(file));
        }
        KeyLookup lookup = keys;
        FormatCache formats = new FormatCache(); // one for the whole stream: a compact frame decodes after a full frame of its format
        return frame -> toJson(json, WmbusDecoder.decode(frame, lookup, formats));
    }

    static Map<String, Secret> readKeys(Path file) throws IOException {
        Map<String, Secret> keys = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] parts = line.split("\\s+");
            if (parts.length != 2 || !ID.matcher(parts[0]).matches() || !KEY.matcher(parts[1]).matches()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected '<8-digit id> <32 hex digits>'");
            }
            keys.put(parts[0], Secret.of(parts[1]));
        }
        return keys;
    }

    private static ObjectNode toJson(FrameJson json, WmbusTelegram t) {
        ObjectNode o = json.header(t.id(), t.manufacturer(), t.version(), t.deviceType(), t.accessNumber(), t.status());
        o.put("frame", "wireless");
        o.put("ci", String.format("%02X", t.ci()));
        o.put("security_mode", t.securityMode());
        json.records(o, t.records(), false, t.manufacturerData(), t.undecoded());
        return o;
    }
}
