package io.meterlink.provisioning.tech;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.meterlink.provisioning.tech.TechFixtures.METER;
import static io.meterlink.provisioning.tech.TechFixtures.PSK;
import static io.meterlink.provisioning.tech.TechFixtures.WRONG_PSK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TechnicianEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    private TechnicianEndpoint endpoint(TechEndpointConfig config, TechServices services) {
        TechnicianEndpoint e = new TechnicianEndpoint(config, PSK, services, Clock.systemUTC());
        toClose.add(e);
        return e;
    }

    private TechClient client(TechnicianEndpoint e, TechnicianPsk psk) {
        TechClient c = TechFixtures.client(e, psk);
        toClose.add(c);
        return c;
    }

    private static TechServices allServices(List<byte[]> applied) {
        Instant notAfter = Instant.now().plus(Duration.ofDays(200)).plusSeconds(3600);
        return TechServices.builder()
                .status(TechFixtures::status)
                .certificate(() -> Optional.of(notAfter))
                .meters(() -> List.of(new MeterReport(METER, "radio", Instant.parse("2026-01-02T03:04:05Z"), -71,
                        List.of(TechFixtures.reading("123.456")))))
                .bundles(bundle -> {
                    if (new String(bundle, StandardCharsets.UTF_8).contains("old")) {
                        throw new TechRequestException(TechRequestException.Kind.CONFLICT, "bundle version 3 is older than 5");
                    }
                    applied.add(bundle);
                    return "version 6";
                })
                .reader((meter, timeout) -> {
                    if (!meter.equals(METER)) throw new TechRequestException(TechRequestException.Kind.NOT_FOUND, "no such meter: " + meter);
                    return List.of(TechFixtures.reading("124.000"));
                })
                .build();
    }

    @Test void closedByDefault_socketNotBound() {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), allServices(new ArrayList<>()));
        assertFalse(e.isOpen());
        assertTrue(e.address().isEmpty());
        assertTrue(e.openUntil().isEmpty());
    }

    @Test void closedByDefault_defaultPortIsFreeToBind() throws IOException {
        // nothing of ours sits on a port while closed: a fixed port opened then closed can be bound by anyone again
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        TechnicianEndpoint e = endpoint(TechFixtures.config().withPort(port), allServices(new ArrayList<>()));
        e.open("test");
        assertEquals(port, e.address().orElseThrow().getPort());
        e.closeWindow();
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertTrue(again.isBound());
        }
    }

    @Test void status_rightPsk_answersJsonWithBufferUplinkAndCertificate() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), allServices(new ArrayList<>()));
        e.open("test");
        TechClient.Response r = client(e, PSK).status();
        assertEquals("2.05", r.code());
        JsonNode n = JSON.readTree(r.body());
        assertEquals("gw-test-1", n.get("gw").asText());
        assertEquals(12, n.get("buffer").get("depth").asLong());
        assertTrue(n.get("uplink").get("connected").asBoolean());
        assertEquals(200, n.get("certificate").get("days_left").asLong());
        assertTrue(n.get("technician_endpoint").hasNonNull("open_until"));
    }

    @Test void status_noCertificateYet_saysNull() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), TechServices.builder().status(TechFixtures::status).build());
        e.open("test");
        JsonNode n = JSON.readTree(client(e, PSK).status().body());
        assertTrue(n.get("certificate").isNull());
    }

    @Test void meters_listsLastSeenRssiAndLastValues() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), allServices(new ArrayList<>()));
        e.open("test");
        TechClient.Response r = client(e, PSK).meters();
        assertEquals("2.05", r.code());
        JsonNode m = JSON.readTree(r.body()).get("meters").get(0);
        assertEquals("wmbus:KAM:12345678", m.get("meter").asText());
        assertEquals("2026-01-02T03:04:05Z", m.get("last_seen").asText());
        assertEquals(-71, m.get("rssi").asInt());
        assertEquals("123.456", m.get("last_values").get(0).get("value").decimalValue().toPlainString());
        assertEquals("m3", m.get("last_values").get(0).get("unit").asText());
    }

    @Test void bundle_largeBodyArrivesWholeAndIsApplied() throws Exception {
        List<byte[]> applied = new ArrayList<>();
        TechnicianEndpoint e = endpoint(TechFixtures.config(), allServices(applied));
        e.open("test");
        byte[] bundle = ("version: 6\n" + "meter: x\n".repeat(2000)).getBytes(StandardCharsets.UTF_8); // ~18 KB: block-wise
        TechClient.Response r = client(e, PSK).apply(bundle);
        assertEquals("2.04", r.code());
        assertEquals("version 6", JSON.readTree(r.body()).get("applied").asText());
        assertEquals(1, applied.size());
        assertTrue(java.util.Arrays.equals(bundle, applied.get(0)));
    }

    @Test void bundle_refusedByService_answers409WithReason() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), allServices(new ArrayList<>()));
        e.open("test");
        TechClient.Response r = client(e, PSK).apply("version: 3 old".getBytes(StandardCharsets.UTF_8));
        assertEquals("4.09", r.code());
        assertTrue(JSON.readTree(r.body()).get("error").asText().contains("older"));
    }

    @Test void read_knownMeter_answersFreshReadings() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), allServices(new ArrayList<>()));
        e.open("test");
        TechClient.Response r = client(e, PSK).read("wmbus:KAM:12345678");
        assertEquals("2.04", r.code());
        JsonNode n = JSON.readTree(r.body());
        assertEquals("wmbus:KAM:12345678", n.get("meter").asText());
        assertEquals("124.000", n.get("readings").get(0).get("value").decimalValue().toPlainString());
    }

    @Test void read_unknownOrBadMeter_answers404Or400() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), allServices(new ArrayList<>()));
        e.open("test");
        TechClient c = client(e, PSK);
        assertEquals("4.04", c.read("wmbus:KAM:99999999").code());
        assertEquals("4.00", c.read("not a meter id").code());
    }

    @Test void enrol_notWiredYet_answers501() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), allServices(new ArrayList<>()));
        e.open("test");
        TechClient.Response r = client(e, PSK).enrol();
        assertEquals("5.01", r.code());
        assertTrue(JSON.readTree(r.body()).get("error").asText().contains("enrol"));
    }

    @Test void enrol_wired_startsEnrolment() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), TechServices.builder().enrolment(() -> "claim sent").build());
        e.open("test");
        TechClient.Response r = client(e, PSK).enrol();
        assertEquals("2.04", r.code());
        assertEquals("claim sent", JSON.readTree(r.body()).get("enrolment").asText());
    }

    @Test void wrongPsk_getsNothing() {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), allServices(new ArrayList<>()));
        e.open("test");
        TechClient c = client(e, WRONG_PSK);
        assertThrows(IOException.class, c::status);
        assertTrue(e.guard().failures() >= 1, "the failed handshake is counted");
    }

    @Test void closedEndpoint_getsNothing_afterCloseWindow() throws Exception {
        TechnicianEndpoint e = endpoint(TechFixtures.config(), allServices(new ArrayList<>()));
        e.open("test");
        InetSocketAddress where = new InetSocketAddress(InetAddress.getLoopbackAddress(), e.address().orElseThrow().getPort());
        assertEquals("2.05", client(e, PSK).status().code());
        e.closeWindow();
        assertFalse(e.isOpen());
        TechClient fresh = new TechClient(where, PSK, Duration.ofSeconds(4), 64 * 1024);
        toClose.add(fresh);
        assertThrows(IOException.class, fresh::status);
    }
}
