package io.meterlink.sim.headend;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Out-of-order readings per meter series, from the head-end's arrivals. A series is one register of
 * one meter: the measurement key without its time ({@code meter|quantity|storage|tariff|subunit|function}),
 * so that a due-date register (storage 1, an older time) is not compared with the current value.
 * The measurement time is the key's time ({@code meter_time}, else the gateway's {@code received}).
 *
 * @param bySeq     readings whose measurement time is older than that of a reading of the same series
 *                  with a lower seq from the same gateway: the gateway stamped the series out of order
 *                  (a replayed or re-stamped telegram, a meter clock running backwards). Independent of
 *                  when batches arrive, so 0 is expected in every run
 * @param byArrival readings that arrived after a reading of the same series with a newer measurement
 *                  time had already arrived (from any gateway). Expected after an outage: live
 *                  readings overtake the backlog (docs/payloads.md), so this only describes the run
 */
public record Order(long bySeq, long byArrival) {

    /** Counts both over {@code arrivals} (in arrival order, each with a new {@code (gw, seq)}). Pure. */
    public static Order of(List<HeadEnd.Arrival> arrivals) {
        Map<String, Instant> newestArrived = new HashMap<>();
        Map<String, List<long[]>> bySeries = new HashMap<>(); // gw|series → {seq, epoch ms}
        long byArrival = 0;
        for (HeadEnd.Arrival a : arrivals) {
            Parsed p = Parsed.of(a);
            if (p == null) continue;
            Instant newest = newestArrived.get(p.series);
            if (newest != null && p.time.isBefore(newest)) byArrival++;
            if (newest == null || p.time.isAfter(newest)) newestArrived.put(p.series, p.time);
            bySeries.computeIfAbsent(p.gw + "\n" + p.series, k -> new ArrayList<>()).add(new long[] {p.seq, p.time.toEpochMilli()});
        }
        long bySeq = 0;
        for (List<long[]> series : bySeries.values()) {
            series.sort(Comparator.comparingLong(x -> x[0]));
            long max = Long.MIN_VALUE;
            for (long[] r : series) {
                if (r[1] < max) bySeq++;
                max = Math.max(max, r[1]);
            }
        }
        return new Order(bySeq, byArrival);
    }

    /** What an arrival says about its series: from {@code gw#seq} and the key {@code meter|…|function|time|value}. */
    private record Parsed(String gw, long seq, String series, Instant time) {
        static Parsed of(HeadEnd.Arrival a) {
            String[] f = a.key().split("\\|");
            if (f.length < 7) return null;
            try {
                long seq = a.gwSeq().seq();
                String series = String.join("|", f[0], f[1], f[2], f[3], f[4], f[5]);
                return new Parsed(a.gwSeq().gateway(), seq, series, Instant.parse(f[6]));
            } catch (NumberFormatException | DateTimeParseException e) {
                return null; // not a key we can place in time: counted by nobody
            }
        }
    }
}
