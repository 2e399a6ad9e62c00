package io.meterlink.drivers.ert;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.drivers.testing.Await;
import io.meterlink.drivers.testing.BrokenSink;
import io.meterlink.drivers.testing.FeedLine;
import io.meterlink.drivers.testing.MapSettings;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ERT/R900 packets from rtlamr: a line whose decoding fails (a decoder bug on a hostile packet) is a
 * counted {@code other} bad input and the next packet line is read; a failing sink is not bad input.
 */
class ErtDecoderFaultGuardTest {
    static final String HOSTILE = "{\"Time\":\"2025-05-05T21:25:06Z\",\"Type\":\"SCM\",\"Message\":{\"ID\":666,\"Type\":7,\"Consumption\":1}}";
    static final String GOOD = "{\"Time\":\"2025-05-05T21:25:06.548266268Z\",\"Offset\":0,\"Length\":0,\"Type\":\"SCM\",\"Message\":"
            + "{\"ID\":60706301,\"Type\":7,\"TamperPhy\":1,\"TamperEnc\":2,\"Consumption\":7621974,\"ChecksumVal\":48922}}";

    /** rtlamr's JSON reader, failing on meter 666 as a reader with a bug would. */
    static final RtlamrDriver.Parser FAULTY = line -> {
        if (line.contains("\"ID\":666")) throw new NumberFormatException("hostile packet");
        return RtlamrJson.parse(line);
    };

    private static ErtMappingSettings mapping() {
        return ErtMappingSettings.read(new MapSettings(Map.of()));
    }

    @Test
    void aDecoderFaultOnAHostilePacket_isCountedOther_theNextPacketIsRead() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        line.add((HOSTILE + "\n" + GOOD + "\n").getBytes(StandardCharsets.UTF_8), 40);
        try (Driver d = new RtlamrDriver(mapping(), line, rec, FAULTY)) {
            d.start();
            Await.until(() -> !rec.readings.isEmpty(), "the packet after the fault", rec);
        }
        assertEquals(List.of(Kind.OTHER), rec.bad);
        assertEquals(List.of(MeterId.of("ert:7:60706301")), rec.heard);
        assertEquals(1, line.opens, "the line was never reopened");
        assertTrue(rec.transportErrors.isEmpty(), rec::toString);
    }

    @Test
    void aLineFailingUnchecked_isALineFailure_theLineReopens_andListeningGoesOn() throws Exception {
        FeedLine line = new FeedLine();
        Recording rec = new Recording(Clock.systemUTC());
        line.failUncheckedOnce = new IllegalStateException("the dongle went away");
        line.add((GOOD + "\n").getBytes(StandardCharsets.UTF_8), 40);
        try (Driver d = new RtlamrDriver(mapping(), line, rec, FAULTY)) {
            d.start();
            Await.until(() -> !rec.readings.isEmpty(), "the packet after the reopen", rec);
        }
        assertTrue(rec.bad.isEmpty(), "not the meter's bad input: " + rec.bad);
        assertEquals(2, line.opens, "closed and reopened, not stopped");
        assertEquals(1, rec.transportErrors.size(), rec::toString);
    }

    @Test
    void aDeliveryFault_isNotBadInput_itStopsTheLineAsBefore() throws Exception {
        FeedLine line = new FeedLine();
        BrokenSink.assertStopsTheLine(context -> new RtlamrDriver(mapping(), line, context, FAULTY),
                () -> line.add((GOOD + "\n").getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE));
    }
}
