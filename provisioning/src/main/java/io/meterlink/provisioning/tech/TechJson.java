package io.meterlink.provisioning.tech;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.uplink.JsonPayloads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The endpoint's JSON bodies. Stateless; thread-safe. */
final class TechJson {
    // exact decimals: a meter value keeps its scale (124.000 stays 124.000)
    static final ObjectMapper JSON = new ObjectMapper().setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    private TechJson() { }

    /** The status message of the MQTT uplink, plus the certificate's expiry and the endpoint's own figures. */
    static byte[] status(StatusSnapshot s, Optional<Instant> certNotAfter, Instant now, Optional<Instant> openUntil, HandshakeGuard guard) {
        ObjectNode o;
        try {
            o = (ObjectNode) JSON.readTree(new JsonPayloads(s.gatewayId()).status(s, "online"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (certNotAfter.isPresent()) {
            ObjectNode c = o.putObject("certificate");
            c.put("not_after", certNotAfter.get().toString());
            c.put("days_left", Math.floorDiv(Duration.between(now, certNotAfter.get()).toSeconds(), 86_400L));
        } else {
            o.putNull("certificate");
        }
        ObjectNode t = o.putObject("technician_endpoint");
        if (openUntil.isPresent()) t.put("open_until", openUntil.get().toString()); else t.putNull("open_until");
        t.put("handshake_failures", guard.failures());
        t.put("lockouts", guard.lockouts());
        return bytes(o);
    }

    static byte[] meters(List<MeterReport> meters) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode a = o.putArray("meters");
        for (MeterReport m : meters) {
            ObjectNode n = a.addObject();
            n.put("meter", m.meter().toString());
            if (m.source() == null) n.putNull("source"); else n.put("source", m.source());
            n.put("last_seen", m.lastSeen().toString());
            if (m.rssiDbm() == null) n.putNull("rssi"); else n.put("rssi", m.rssiDbm().intValue());
            readings(n.putArray("last_values"), m.lastValues());
        }
        return bytes(o);
    }

    static byte[] readNow(MeterId meter, List<Reading> readings) {
        ObjectNode o = JSON.createObjectNode();
        o.put("meter", meter.toString());
        readings(o.putArray("readings"), readings);
        return bytes(o);
    }

    static byte[] result(String field, String value) {
        ObjectNode o = JSON.createObjectNode();
        o.put(field, value);
        return bytes(o);
    }

    static byte[] error(String message) {
        return result("error", message);
    }

    private static void readings(ArrayNode a, List<Reading> readings) {
        for (Reading r : readings) {
            ObjectNode n = a.addObject();
            n.put("quantity", r.quantity().wireName());
            n.put("unit", r.unit().symbol());
            n.put("value", r.value());
            n.put("function", r.function().wireName());
            n.put("storage", r.storage());
            n.put("tariff", r.tariff());
            n.put("subunit", r.subunit());
            if (r.meterTime() == null) n.putNull("meter_time"); else n.put("meter_time", r.meterTime().toString());
            n.put("received", r.receivedAt().toString());
            n.put("status", r.status());
            if (r.rssiDbm() == null) n.putNull("rssi"); else n.put("rssi", r.rssiDbm().intValue());
        }
    }

    private static byte[] bytes(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
