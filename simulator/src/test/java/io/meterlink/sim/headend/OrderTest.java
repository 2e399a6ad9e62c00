package io.meterlink.sim.headend;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OrderTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final MeterId METER = MeterId.of("mbus:KAM:12345678");

    /** An arrival of {@code gw#seq}: the meter's volume (storage {@code storage}) measured {@code minute} minutes after T0. */
    private static HeadEnd.Arrival arrival(String gw, long seq, int storage, int minute) {
        Instant t = T0.plusSeconds(60L * minute);
        Reading r = new Reading(METER, Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(minute), MeasurementFunction.INSTANTANEOUS,
                storage, 0, 0, t, t, 0, null);
        return new HeadEnd.Arrival(new GatewaySeq(gw, seq), Verdict.keyOf(r.measurementKey(), r.value()), T0.plusSeconds(3600 + seq));
    }

    @Test
    void inSeqAndArrivalOrder_nothingOutOfOrder() {
        assertEquals(new Order(0, 0), Order.of(List.of(arrival("gw", 1, 0, 0), arrival("gw", 2, 0, 1), arrival("gw", 3, 0, 1))));
    }

    @Test
    void backlogArrivingAfterLiveReadings_isOutOfOrderByArrival_notBySeq() {
        // live readings 3 and 4 overtake the backlog 1 and 2: expected after an outage
        Order o = Order.of(List.of(arrival("gw", 3, 0, 2), arrival("gw", 4, 0, 3), arrival("gw", 1, 0, 0), arrival("gw", 2, 0, 1)));
        assertEquals(0, o.bySeq());
        assertEquals(2, o.byArrival());
    }

    @Test
    void higherSeqWithAnOlderMeasurement_isOutOfOrderBySeq() {
        // seq 3 carries minute 1 after seq 2 carried minute 5: the gateway stamped the series backwards
        Order o = Order.of(List.of(arrival("gw", 1, 0, 0), arrival("gw", 2, 0, 5), arrival("gw", 3, 0, 1), arrival("gw", 4, 0, 6)));
        assertEquals(1, o.bySeq());
        assertEquals(1, o.byArrival());
    }

    @Test
    void dueDateRegister_isItsOwnSeries() {
        // storage 1 (the last due date) carries an older time than the current value sent just before it
        assertEquals(new Order(0, 0), Order.of(List.of(arrival("gw", 1, 0, 30), arrival("gw", 2, 1, 0), arrival("gw", 3, 0, 31))));
    }

    @Test
    void seqsOfTwoGateways_areNotCompared_butArrivalsAre() {
        // gw-b heard the same meter with lower seqs; each gateway's own series is in order
        Order o = Order.of(List.of(arrival("gw-a", 100, 0, 5), arrival("gw-b", 1, 0, 4), arrival("gw-b", 2, 0, 6)));
        assertEquals(0, o.bySeq());
        assertEquals(1, o.byArrival());
    }

    @Test
    void verdict_carriesBothCounts() {
        List<HeadEnd.Arrival> a = List.of(arrival("gw", 2, 0, 1), arrival("gw", 1, 0, 0), arrival("gw", 3, 0, 0));
        Verdict v = Verdict.of(List.of(), a, 0);
        assertEquals(1, v.outOfOrder(), "seq 3 measured before seq 2");
        assertEquals(2, v.outOfOrderByArrival());
    }
}
