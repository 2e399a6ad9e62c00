package io.meterlink.provisioning.tech;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.runtime.GatewayException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeoutException;

import static io.meterlink.provisioning.tech.TechFixtures.METER;
import static io.meterlink.provisioning.tech.TechFixtures.PSK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /read} wired as in {@code meterlink run}, through a fake {@code Gateway::readNow}. */
class GatewayMeterReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));
    private static final MeterId SILENT = MeterId.of("mbus:KAM:00000002");
    private static final MeterId BROKEN = MeterId.of("mbus:KAM:00000003");
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Duration> timeoutsAsked = new ArrayList<>();

    @AfterEach void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    /** A fake gateway: knows METER (answers 124.000 m³), SILENT times out, BROKEN has a failed line. */
    private List<io.meterlink.core.api.Reading> fakeGateway(MeterId meter, Duration timeout)
            throws TimeoutException, GatewayException {
        synchronized (timeoutsAsked) {
            timeoutsAsked.add(timeout);
        }
        if (meter.equals(METER)) return List.of(TechFixtures.reading("124.000"));
        if (meter.equals(SILENT)) throw new TimeoutException(meter + " did not answer");
        if (meter.equals(BROKEN)) throw new GatewayException("reading " + meter + " failed: line down", new IOException("line down"));
        throw new NoSuchElementException("no source has heard meter " + meter + " or can poll it");
    }

    private TechClient openClient() {
        TechServices services = TechServices.builder().reader(new GatewayMeterReader(this::fakeGateway)).build();
        TechnicianEndpoint e = new TechnicianEndpoint(TechFixtures.config(), PSK, services, Clock.systemUTC());
        toClose.add(e);
        e.open("test");
        TechClient c = TechFixtures.client(e, PSK);
        toClose.add(c);
        return c;
    }

    @Test void read_heardMeter_answersItsReadingsWithExactDecimals() throws Exception {
        TechClient.Response r = openClient().read(METER.toString());
        assertEquals("2.04", r.code());
        JsonNode n = JSON.readTree(r.body());
        assertEquals(METER.toString(), n.get("meter").asText());
        assertEquals("124.000", n.get("readings").get(0).get("value").decimalValue().toPlainString());
        assertEquals("m3", n.get("readings").get(0).get("unit").asText());
        assertEquals(List.of(TechEndpointConfig.defaults().readTimeout()), timeoutsAsked, "the endpoint's read_timeout is passed on");
    }

    @Test void read_unknownSilentOrFailed_answers404_504_503() throws Exception {
        TechClient c = openClient();
        TechClient.Response unknown = c.read("mbus:KAM:99999999");
        assertEquals("4.04", unknown.code());
        assertTrue(JSON.readTree(unknown.body()).get("error").asText().contains("mbus:KAM:99999999"));
        TechClient.Response silent = c.read(SILENT.toString());
        assertEquals("5.04", silent.code());
        assertTrue(JSON.readTree(silent.body()).get("error").asText().contains("did not answer"));
        TechClient.Response broken = c.read(BROKEN.toString());
        assertEquals("5.03", broken.code());
        assertTrue(JSON.readTree(broken.body()).get("error").asText().contains("line down"));
    }
}
