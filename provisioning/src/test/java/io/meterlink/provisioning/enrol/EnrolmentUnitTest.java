package io.meterlink.provisioning.enrol;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.provisioning.identity.TestCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnrolmentUnitTest {

    @Test
    void messages_roundTrip_andRejectGarbage() {
        var req = EnrolmentMessages.parseRequest(EnrolmentMessages.request("gw-1", "r1", "CSR")).orElseThrow();
        assertEquals("gw-1", req.gatewayId());
        assertEquals("r1", req.requestId());
        assertEquals("CSR", req.csrPem());
        var ok = EnrolmentMessages.parseAnswer(EnrolmentMessages.certificate("gw-1", "r1", "PEM")).orElseThrow();
        assertTrue(ok.issued());
        var no = EnrolmentMessages.parseAnswer(EnrolmentMessages.refusal("gw-1", "r1", "not_allowed", "m")).orElseThrow();
        assertEquals("not_allowed", no.reason());
        assertTrue(EnrolmentMessages.parseRequest("{".getBytes(StandardCharsets.UTF_8)).isEmpty());
        assertTrue(EnrolmentMessages.parseAnswer("{\"v\":2,\"type\":\"certificate\",\"certificate\":\"x\"}".getBytes(StandardCharsets.UTF_8)).isEmpty());
    }

    @Test
    void topics_keepClaimAndRenewalApart() {
        assertEquals("p/provisioning/c1/csr", EnrolmentTopics.claimRequest("p", "c1"));
        assertEquals("p/provisioning/c1/cert/gw-1", EnrolmentTopics.claimResponse("p", "c1", "gw-1"));
        assertEquals("p/provisioning/renew/gw-1/csr", EnrolmentTopics.renewRequest("p", "gw-1"));
        assertEquals("p/provisioning/renew/gw-1/cert", EnrolmentTopics.renewResponse("p", "gw-1"));
    }

    @Test
    void renewAt_isTwoThirdsIntoTheValidity() throws Exception {
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        var cert = TestCa.create("ca").issue(TestCa.ecKeyPair().getPublic(), "gw-1", from, from.plus(Duration.ofDays(90)));
        assertEquals(from.plus(Duration.ofDays(60)), CertificateRenewal.renewAt(cert));
    }

    @Test
    void claimConfig_bindsBrokerSection(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path f = Files.writeString(dir.resolve("claim.yaml"), "claim_id: batch-7\ntimeout: 30s\nbroker:\n  url: ssl://localhost:8883\n"
                + "  tls: {ca_file: " + ca + ", cert_file: " + dir.resolve("c.pem") + ", key_file: " + dir.resolve("c.key") + "}\n");
        ClaimConfig c = ClaimConfig.load(f);
        assertEquals("batch-7", c.claimId());
        assertEquals(Duration.ofSeconds(30), c.timeout());
        assertEquals("meterlink/v1", c.broker().topicPrefix());
    }

    @Test
    void claimConfig_refusesReservedOrWildcardIds_andMissingBroker(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("claim.yaml"), "claim_id: renew\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ClaimConfig.load(f));
        assertTrue(e.getMessage().contains("claim_id"), e.getMessage());
        assertTrue(e.getMessage().contains("broker"), e.getMessage());
        Path g = Files.writeString(dir.resolve("claim2.yaml"), "claim_id: 'a/#'\nbroker: {url: 'ssl://h:1', username: u, password: p, tls: {ca_file: /x}}\n");
        assertTrue(assertThrows(ConfigException.class, () -> ClaimConfig.load(g)).getMessage().contains("claim_id"));
    }
}
