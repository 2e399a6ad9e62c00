package io.meterlink.sim.scenario;

import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.headend.Order;
import io.meterlink.sim.headend.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Holds what arrived at the head-end against what the meters generated and what the gateway traced
 * as accepted. The definitions (also in {@code docs/simulator.md}):
 * <ul>
 *   <li>accepted: seqs in the gateway's {@code ACCEPTED} trace of every run, plus any delivered seq
 *       (a reading committed just before a SIGKILL may arrive before its trace line was printed);</li>
 *   <li>lost accepted: accepted seqs that never arrived;</li>
 *   <li>never delivered: generated readings matched by no arrival (key and value as {@link Verdict}; among
 *       same-key readings, the one generated last before the gateway's receive time);</li>
 *   <li>in flight at a kill: never-delivered readings generated within the kill window before a
 *       SIGKILL (read from the meter, not yet committed: they die with the process; not lost);</li>
 *   <li>not heard: never-delivered wireless (and P1/SML push) readings sent while the gateway was not listening: from
 *       the start of the run or a SIGKILL until the first wireless reading generated after it that
 *       did arrive (a radio telegram is sent once; nobody can accept what nobody heard);</li>
 *   <li>wrong key, answered late: never-delivered readings of a meter named by an {@link Excuse} (the
 *       gateway was given a wrong key for it; it answered after the gateway's timeout), generated in
 *       the excuse's window;</li>
 *   <li>lost: {@code max(lost accepted, never delivered − in flight at a kill − not heard − wrong key − answered late)
 *       − evictions}, at least 0. Evicted readings are the documented bound of a full buffer and are reported apart;</li>
 *   <li>wrong key delivered: arrivals from a meter while a wrong-key excuse names it (a garbage reading: must be 0);</li>
 *   <li>out of order, out of order by arrival: see {@link Order}.</li>
 *   <li>live: readings generated while a backlog drains — after a fault window ended and no later than
 *       the last arrival of a reading generated up to that end (the backlog drained), outside every
 *       fault window.</li>
 * </ul>
 * Pure; not thread-safe.
 */
public final class Accounting {
    /** A span of time during which a fault was active; the readings generated up to its end are a backlog. */
    public record Window(Instant from, Instant to) {
        boolean contains(Instant t) {
            return !t.isBefore(from) && !t.isAfter(to);
        }
    }

    /** Why a fault makes a meter's readings undeliverable on purpose. */
    public enum Reason {
        /** The gateway was configured with a key that is not the meter's: every telegram is refused (counted as a key error). */
        WRONG_KEY,
        /** The meter answered after the gateway's timeout: the gateway may have given up on that answer. */
        ANSWERED_LATE
    }

    /** Never-delivered readings of {@code meter} generated during {@code window} are excused for {@code reason}. */
    public record Excuse(Reason reason, String meter, Window window) {
    }

    /** The figures. */
    public record Figures(long generated, long accepted, long delivered, long lost, long lostAccepted, long neverDelivered,
                          long inFlightAtKill, long notHeard, long duplicatesBySeq, long duplicatesByMeasurement, long p50LatencyMs,
                          long p99LatencyMs, long maxLatencyMs, long liveReadings, long liveP99LatencyMs,
                          List<String> unexcusedSample, long wrongKey, long answeredLate, long wrongKeyDelivered,
                          long outOfOrder, long outOfOrderByArrival, Map<String, Family> byFamily) {
        public Figures {
            unexcusedSample = List.copyOf(unexcusedSample);
            byFamily = Map.copyOf(byFamily);
        }

        /** Without figures per meter family. */
        public Figures(long generated, long accepted, long delivered, long lost, long lostAccepted, long neverDelivered,
                       long inFlightAtKill, long notHeard, long duplicatesBySeq, long duplicatesByMeasurement, long p50LatencyMs,
                       long p99LatencyMs, long maxLatencyMs, long liveReadings, long liveP99LatencyMs,
                       List<String> unexcusedSample, long wrongKey, long answeredLate, long wrongKeyDelivered,
                       long outOfOrder, long outOfOrderByArrival) {
            this(generated, accepted, delivered, lost, lostAccepted, neverDelivered, inFlightAtKill, notHeard, duplicatesBySeq,
                    duplicatesByMeasurement, p50LatencyMs, p99LatencyMs, maxLatencyMs, liveReadings, liveP99LatencyMs, unexcusedSample,
                    wrongKey, answeredLate, wrongKeyDelivered, outOfOrder, outOfOrderByArrival, Map.of());
        }
    }

    /**
     * The readings of one meter family (the meter id's first part: {@code mbus}, {@code p1}, {@code sml},
     * {@code iec62056}, {@code ert}, …): generated, matched by an arrival, and never delivered without an excuse.
     */
    public record Family(long generated, long delivered, long lost) { }

    static String family(Verdict.Generated g) {
        String m = g.reading().meter().toString();
        int colon = m.indexOf(':');
        return colon < 0 ? m : m.substring(0, colon);
    }

    /** Tolerance between the simulator's generation time and the gateway's receive time (same host clock). */
    static final Duration CLOCK_SLACK = Duration.ofMillis(500);

    /** At most this many never-delivered readings that nothing excuses are named, for diagnosis. */
    static final int SAMPLE = 10_000;

    private Accounting() {
    }

    /**
     * @param gatewayId      the gateway whose arrivals count
     * @param generated      every reading the meters generated
     * @param arrivals       every arrival with a new {@code (gw, seq)}
     * @param traced         seqs the gateway traced as accepted, over every run
     * @param start          when the meters started
     * @param kills          when each SIGKILL happened
     * @param killWindow     how long before a kill a generated reading may still be in flight
     * @param faultWindows   spans during which some fault was active
     * @param evictions      readings the buffer evicted (cap reached)
     */
    public static Figures of(String gatewayId, Collection<Verdict.Generated> generated, List<HeadEnd.Arrival> arrivals,
                             long duplicatesBySeq, Set<Long> traced, Instant start, List<Instant> kills, Duration killWindow,
                             List<Window> faultWindows, long evictions) {
        return of(gatewayId, generated, arrivals, duplicatesBySeq, traced, start, kills, killWindow, faultWindows, evictions, List.of());
    }

    /** As above, with readings that faults made undeliverable on purpose ({@code excuses}). */
    public static Figures of(String gatewayId, Collection<Verdict.Generated> generated, List<HeadEnd.Arrival> arrivals,
                             long duplicatesBySeq, Set<Long> traced, Instant start, List<Instant> kills, Duration killWindow,
                             List<Window> faultWindows, long evictions, List<Excuse> excuses) {
        Set<Long> delivered = new HashSet<>();
        for (HeadEnd.Arrival a : arrivals) {
            if (a.gwSeq().gateway().equals(gatewayId)) delivered.add(a.gwSeq().seq());
        }
        long lostAccepted = traced.stream().filter(s -> !delivered.contains(s)).count();
        Set<Long> accepted = new HashSet<>(traced);
        accepted.addAll(delivered);

        Map<String, TreeMap<Instant, ArrayDeque<Verdict.Generated>>> pending = new HashMap<>();
        for (Verdict.Generated g : generated) {
            pending.computeIfAbsent(timeless(Verdict.keyOf(g.reading().measurementKey(), g.reading().value())), k -> new TreeMap<>())
                    .computeIfAbsent(g.at(), t -> new ArrayDeque<>()).addLast(g);
        }
        Map<String, Long> familyGenerated = new TreeMap<>();
        Map<String, Long> familyDelivered = new HashMap<>();
        Map<String, Long> familyLost = new HashMap<>();
        for (Verdict.Generated g : generated) familyGenerated.merge(family(g), 1L, Long::sum);
        List<Instant> deafFrom = new ArrayList<>(kills);
        deafFrom.add(start);
        Instant[] heardAgain = new Instant[deafFrom.size()];
        List<Long> latencies = new ArrayList<>(arrivals.size());
        List<Instant[]> matched = new ArrayList<>(arrivals.size()); // {generated, arrived}
        long unmatched = 0;
        long wrongKeyDelivered = 0;
        for (HeadEnd.Arrival a : arrivals) {
            if (excused(excuses, Reason.WRONG_KEY, meterOf(a.key()), a.received()) != null) wrongKeyDelivered++;
            Verdict.Generated g = take(pending.get(timeless(a.key())), a.received());
            if (g == null) {
                // pulse registers are made by the gateway itself (it counts the pulses): no meter generated them; their
                // exactness is checked against the pulse generators (DrainPhase#pulseTotals)
                if (!a.key().startsWith("pulse:")) unmatched++;
                continue;
            }
            familyDelivered.merge(family(g), 1L, Long::sum);
            Instant at = g.at();
            long ms = Math.max(0, Duration.between(at, a.at()).toMillis());
            latencies.add(ms);
            matched.add(new Instant[]{at, a.at()});
            if (wireless(g)) {
                for (int i = 0; i < heardAgain.length; i++) {
                    if (!at.isBefore(deafFrom.get(i)) && (heardAgain[i] == null || at.isBefore(heardAgain[i]))) heardAgain[i] = at;
                }
            }
        }
        long neverDelivered = 0;
        long inFlight = 0;
        long notHeard = 0;
        long wrongKey = 0;
        long answeredLate = 0;
        List<String> sample = new ArrayList<>();
        for (TreeMap<Instant, ArrayDeque<Verdict.Generated>> byTime : pending.values()) {
            for (Verdict.Generated g : byTime.values().stream().flatMap(ArrayDeque::stream).toList()) {
                Instant at = g.at();
                neverDelivered++;
                boolean excused = false;
                Excuse excuse = excused(excuses, null, g.reading().meter().toString(), at);
                if (excuse != null) {
                    if (excuse.reason() == Reason.WRONG_KEY) wrongKey++;
                    else answeredLate++;
                    excused = true;
                } else if (kills.stream().anyMatch(k -> !at.isAfter(k) && !at.isBefore(k.minus(killWindow)))) {
                    inFlight++;
                    excused = true;
                } else if (wireless(g)) {
                    for (int i = 0; i < heardAgain.length; i++) {
                        if (!at.isBefore(deafFrom.get(i)) && (heardAgain[i] == null || at.isBefore(heardAgain[i]))) {
                            notHeard++;
                            excused = true;
                            break;
                        }
                    }
                }
                if (!excused) familyLost.merge(family(g), 1L, Long::sum);
                if (!excused && sample.size() < SAMPLE) {
                    sample.add(g.reading().meter() + " " + g.reading().quantity().wireName() + "=" + g.reading().value()
                            + " generated " + at);
                }
            }
        }
        long lost = Math.max(0, Math.max(lostAccepted, neverDelivered - inFlight - notHeard - wrongKey - answeredLate) - evictions);
        latencies.sort(null);
        List<Long> live = live(matched, faultWindows);
        Order order = Order.of(arrivals);
        return new Figures(generated.size(), accepted.size(), arrivals.size(), lost, lostAccepted, neverDelivered, inFlight,
                notHeard, duplicatesBySeq, unmatched, percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100),
                live.size(), percentile(live, 99), sample, wrongKey, answeredLate, wrongKeyDelivered, order.bySeq(), order.byArrival(),
                byFamily(familyGenerated, familyDelivered, familyLost));
    }

    private static Map<String, Family> byFamily(Map<String, Long> generated, Map<String, Long> delivered, Map<String, Long> lost) {
        Map<String, Family> out = new TreeMap<>();
        generated.forEach((f, n) -> out.put(f, new Family(n, delivered.getOrDefault(f, 0L), lost.getOrDefault(f, 0L))));
        return out;
    }

    /** The first excuse (of {@code reason}, or any when null) naming {@code meter} at {@code t}; null when none. */
    private static Excuse excused(List<Excuse> excuses, Reason reason, String meter, Instant t) {
        if (excuses.isEmpty() || meter == null) return null;
        for (Excuse e : excuses) {
            if ((reason == null || e.reason() == reason) && e.meter().equals(meter) && (t == null || e.window().contains(t))) return e;
        }
        return null;
    }

    private static String meterOf(String key) {
        int bar = key.indexOf('|');
        return bar < 0 ? null : key.substring(0, bar);
    }

    /**
     * Latencies (sorted) of the readings generated while a backlog drained: after a window's end and
     * no later than the last arrival of anything generated up to that end, and inside no window.
     */
    private static List<Long> live(List<Instant[]> matched, List<Window> windows) {
        Instant[] drained = new Instant[windows.size()];
        for (Instant[] m : matched) {
            for (int i = 0; i < drained.length; i++) {
                if (!m[0].isAfter(windows.get(i).to()) && (drained[i] == null || m[1].isAfter(drained[i]))) drained[i] = m[1];
            }
        }
        List<Long> live = new ArrayList<>();
        for (Instant[] m : matched) {
            Instant at = m[0];
            if (windows.stream().anyMatch(w -> w.contains(at))) continue;
            for (int i = 0; i < drained.length; i++) {
                if (drained[i] != null && at.isAfter(windows.get(i).to()) && !at.isAfter(drained[i])) {
                    live.add(Math.max(0, Duration.between(at, m[1]).toMillis()));
                    break;
                }
            }
        }
        live.sort(null);
        return live;
    }

    /**
     * The generated reading an arrival stands for: among those with its key, the latest generated at
     * or before the gateway's receive time (plus {@link #CLOCK_SLACK}); the oldest when the receive
     * time is unknown or none fits. Same-key readings (a constant temperature within one minute) are
     * thus told apart by time.
     */
    private static Verdict.Generated take(TreeMap<Instant, ArrayDeque<Verdict.Generated>> byTime, Instant received) {
        if (byTime == null || byTime.isEmpty()) return null;
        Map.Entry<Instant, ArrayDeque<Verdict.Generated>> e = received == null ? null : byTime.floorEntry(received.plus(CLOCK_SLACK));
        if (e == null) e = byTime.firstEntry();
        Verdict.Generated g = e.getValue().pollFirst();
        if (e.getValue().isEmpty()) byTime.remove(e.getKey());
        return g;
    }

    /** Meters that send on their own (radio, P1 ports, SML interfaces, observed CoAP meters): what they send while nobody listens is not heard. */
    private static boolean wireless(Verdict.Generated g) {
        String meter = g.reading().meter().toString();
        return meter.startsWith("wmbus:") || meter.startsWith("ert:") || meter.startsWith("p1:") || meter.startsWith("sml:")
                || meter.startsWith("coap:"); // observe notifications are pushed, like radio telegrams
    }

    /**
     * The matching key without its time for meters that send none ({@code ert:}, {@code modbus:}): their measurement time
     * is the gateway's receive time, unknown to the simulator; such arrivals are matched by meter,
     * quantity, storage and value, the generated reading picked by time as {@link #take} does.
     */
    static String timeless(String key) {
        if (key == null || !(key.startsWith("ert:") || key.startsWith("modbus:"))) return key;
        String[] f = key.split("\\|", -1); // meter|quantity|storage|tariff|subunit|function|time|value
        if (f.length != 8) return key;
        f[6] = "*";
        return String.join("|", f);
    }

    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return 0;
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }
}
