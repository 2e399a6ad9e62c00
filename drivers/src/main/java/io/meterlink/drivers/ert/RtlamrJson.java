package io.meterlink.drivers.ert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of {@code rtlamr -format=json} to an {@link ErtPacket}, so that rtlamr's packets give the
 * same readings and ids as the Java demodulator's. The envelope is
 * {@code {"Time":…,"Type":"SCM|SCM+|IDM|NetIDM|R900|R900BCD","Message":{…}}}; numbers with leading
 * zeros (which rtlamr prints for id 0) are read leniently. Thread-safe.
 */
public final class RtlamrJson {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS).build();

    private RtlamrJson() {}

    /** Whether the line is meant as a JSON object at all (rtlamr and rtl_tcp also print log lines). */
    public static boolean isJson(String line) { return line.stripLeading().startsWith("{"); }

    /**
     * @throws DecodeException {@link Kind#SYNTAX} for JSON that does not parse or lacks a field,
     *                         {@link Kind#UNSUPPORTED} for an unknown {@code Type}
     */
    public static ErtPacket parse(String line) throws DecodeException {
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DecodeException(Kind.SYNTAX, "rtlamr line is not JSON: " + e.getOriginalMessage());
        }
        String type = text(root, "Type");
        JsonNode m = root.get("Message");
        if (m == null || !m.isObject()) throw new DecodeException(Kind.SYNTAX, "rtlamr line without Message");
        ErtProtocol p;
        try {
            p = ErtProtocol.byName(type);
        } catch (IllegalArgumentException e) {
            throw new DecodeException(Kind.UNSUPPORTED, "rtlamr message type '" + type + "'");
        }
        Map<String, Long> f = new LinkedHashMap<>();
        int[] intervals = new int[0];
        long id, consumption, checksum = 0;
        int ertType;
        switch (p) {
            case SCM -> {
                id = num(m, "ID");
                ertType = (int) num(m, "Type");
                consumption = num(m, "Consumption");
                checksum = opt(m, "ChecksumVal");
                f.put("tamper_phy", opt(m, "TamperPhy"));
                f.put("tamper_enc", opt(m, "TamperEnc"));
            }
            case SCM_PLUS -> {
                id = num(m, "EndpointID");
                ertType = (int) (num(m, "EndpointType") & 0x0F);
                consumption = num(m, "Consumption");
                checksum = opt(m, "PacketCRC");
                f.put("protocol_id", opt(m, "ProtocolID"));
                f.put("endpoint_type", num(m, "EndpointType"));
                f.put("tamper", opt(m, "Tamper"));
            }
            case IDM, NETIDM -> {
                id = num(m, "ERTSerialNumber");
                ertType = (int) (num(m, "ERTType") & 0x0F);
                consumption = m.has("LastConsumptionCount") && p == ErtProtocol.IDM || !m.has("LastConsumption")
                        ? num(m, "LastConsumptionCount") : num(m, "LastConsumption");
                checksum = opt(m, "PacketCRC");
                f.put("interval_count", opt(m, "ConsumptionIntervalCount"));
                f.put("transmit_time_offset", opt(m, "TransmitTimeOffset"));
                JsonNode iv = m.get("DifferentialConsumptionIntervals");
                if (iv != null && iv.isArray()) {
                    intervals = new int[iv.size()];
                    for (int i = 0; i < intervals.length; i++) intervals[i] = iv.get(i).asInt();
                }
            }
            default -> { // R900, R900BCD
                id = num(m, "ID");
                ertType = (int) opt(m, "Unkn1");
                consumption = num(m, "Consumption");
                f.put("unkn1", (long) ertType);
                for (String[] k : new String[][] {{"NoUse", "nouse"}, {"BackFlow", "backflow"}, {"Unkn3", "unkn3"}, {"Leak", "leak"}, {"LeakNow", "leaknow"}}) {
                    f.put(k[1], opt(m, k[0]));
                }
            }
        }
        return new ErtPacket(p, id, ertType, consumption, checksum, f, intervals, 0);
    }

    private static String text(JsonNode n, String field) throws DecodeException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new DecodeException(Kind.SYNTAX, "rtlamr line without " + field);
        return v.asText();
    }

    private static long num(JsonNode n, String field) throws DecodeException {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong() || v.asLong() < 0) throw new DecodeException(Kind.SYNTAX, "rtlamr message without a number " + field);
        return v.asLong();
    }

    private static long opt(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.canConvertToLong() ? v.asLong() : 0;
    }
}
