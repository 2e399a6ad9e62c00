package io.meterlink.sim.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.uplink.JsonPayloads;
import io.meterlink.core.uplink.ReadingRecords;
import io.meterlink.payload.CompactV1;
import io.meterlink.payload.JsonV1;
import io.meterlink.payload.PayloadException;
import io.meterlink.payload.ReadingsBatch;
import io.meterlink.payload.WireReading;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Bytes per reading of each payload format and the gateway's CPU to build the batches (issue 16),
 * without a broker: readings of one mix are encoded as the gateway stores them (JSON v1 objects),
 * cut into batches of {@code --batch} readings and sent through the JSON v1 batch writer and through
 * the compact path (stored objects read back, CBOR, with and without DEFLATE), as the uplink does.
 * One JSON line per mix on stdout. Mixes: {@code heat} (the drain benchmark's backlog: heat-meter
 * readouts of 7 current registers every 15 minutes) and {@code billing} (billing registers: energy
 * and volume of 15 month-end storage numbers and 2 tariffs per readout, as wireless and wired M-Bus
 * meters send their due-date history).
 */
@Command(name = "payload-size", mixinStandardHelpOptions = true,
        description = "Bytes per reading and batch-encoding CPU of JSON v1 and compact v1, per reading mix.")
public final class PayloadSizeBenchmark implements Callable<Integer> {

    @Option(names = "--readings", defaultValue = "200000", description = "readings per mix (default ${DEFAULT-VALUE})")
    int readings;
    @Option(names = "--batch", defaultValue = "500", description = "readings per batch, as uplink.batch_max_readings (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--mix", split = ",", defaultValue = "heat,billing", description = "mixes: heat, billing (default ${DEFAULT-VALUE})")
    List<String> mixes;

    private final PrintStream out;

    public PayloadSizeBenchmark() {
        this(System.out);
    }

    PayloadSizeBenchmark(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new PayloadSizeBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        for (String mix : mixes) {
            List<Reading> rs = switch (mix) {
                case "heat" -> heat(readings);
                case "billing" -> billing(readings);
                default -> throw new CommandLine.ParameterException(new CommandLine(this), "unknown mix " + mix);
            };
            out.println(measure(mix, rs));
        }
        return 0;
    }

    ObjectNode measure(String mix, List<Reading> rs) throws PayloadException {
        JsonPayloads json = new JsonPayloads("gw-0001");
        List<StoredReading> stored = new ArrayList<>(rs.size());
        for (int i = 0; i < rs.size(); i++) stored.add(new StoredReading(i + 1, 0, 0, json.encode(i + 1, rs.get(i))));
        Instant sent = Instant.parse("2026-11-26T08:00:05.250Z");
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        List<StoredReading> records = new ArrayList<>(rs.size()); // as stored under payload: compact
        ReadingRecords recordEncoder = new ReadingRecords();
        for (int i = 0; i < rs.size(); i++) records.add(new StoredReading(i + 1, 0, 0, recordEncoder.encode(i + 1, rs.get(i))));
        long[] bytes = new long[4];
        long[] cpuNs = new long[4];
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up; the second is measured
            bytes = new long[4];
            cpuNs = new long[4];
            for (int from = 0; from < stored.size(); from += batch) {
                List<StoredReading> b = stored.subList(from, Math.min(stored.size(), from + batch));
                long t0 = cpu.getCurrentThreadCpuTime();
                bytes[0] += json.batch(b, sent).length;
                long t1 = cpu.getCurrentThreadCpuTime();
                ReadingsBatch wire = readBack(b, sent);
                bytes[1] += CompactV1.encode(wire, CompactV1.Compression.NONE).length;
                long t2 = cpu.getCurrentThreadCpuTime();
                bytes[2] += CompactV1.encode(readBack(b, sent), CompactV1.Compression.DEFLATE).length;
                long t3 = cpu.getCurrentThreadCpuTime();
                List<StoredReading> rb = records.subList(from, Math.min(records.size(), from + batch));
                bytes[3] += CompactV1.encode(fromRecords(rb, sent), CompactV1.Compression.DEFLATE).length;
                long t4 = cpu.getCurrentThreadCpuTime();
                cpuNs[0] += t1 - t0;
                cpuNs[1] += t2 - t1;
                cpuNs[2] += t3 - t2;
                cpuNs[3] += t4 - t3;
            }
        }
        double n = rs.size();
        ObjectNode r = new ObjectMapper().createObjectNode();
        r.put("mix", mix);
        r.put("readings", rs.size());
        r.put("batch", batch);
        r.put("json_bytes_per_reading", round(bytes[0] / n));
        r.put("compact_bytes_per_reading", round(bytes[1] / n));
        r.put("compact_deflate_bytes_per_reading", round(bytes[2] / n));
        r.put("json_over_compact_deflate", round((double) bytes[0] / bytes[2]));
        r.put("json_batch_cpu_ms_per_1000", round(cpuNs[0] / n / 1000.0));
        r.put("compact_batch_cpu_ms_per_1000", round(cpuNs[1] / n / 1000.0));
        r.put("compact_deflate_batch_cpu_ms_per_1000", round(cpuNs[2] / n / 1000.0));
        // what the gateway does since readings are stored as records under payload: compact
        r.put("compact_deflate_from_records_bytes_per_reading", round(bytes[3] / n));
        r.put("compact_deflate_from_records_cpu_ms_per_1000", round(cpuNs[3] / n / 1000.0));
        r.put("load_avg_1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return r;
    }

    /** Stored records read back, as the gateway's compact path does since issue 16's second round. */
    private static ReadingsBatch fromRecords(List<StoredReading> b, Instant sent) {
        List<WireReading> w = new ArrayList<>(b.size());
        for (StoredReading s : b) w.add(ReadingRecords.decode(s.seq(), s.body()));
        return new ReadingsBatch("gw-0001", sent, w);
    }

    /** The stored JSON v1 objects read back, as the gateway's compact path did before stored records (and does for JSON bodies). */
    private static ReadingsBatch readBack(List<StoredReading> b, Instant sent) throws PayloadException {
        List<WireReading> w = new ArrayList<>(b.size());
        for (StoredReading s : b) w.add(JsonV1.parseReading(s.body(), false).reading());
        return new ReadingsBatch("gw-0001", sent, w);
    }

    /** The drain benchmark's backlog: 2,000 heat meters, 7 registers per readout. */
    static List<Reading> heat(int n) {
        Instant base = Instant.parse("2026-10-27T08:00:00Z");
        Backlog backlog = new Backlog("gw-0001", n, 2000, 10_000_000, base, Instant.parse("2026-11-26T08:00:03.412Z"));
        List<Reading> out = new ArrayList<>(n);
        for (long i = 0; i < n; i++) out.add(backlog.reading(i));
        return out;
    }

    /**
     * Billing registers: per readout of a meter, energy (Wh) and volume (m3) of tariffs 1 and 2 at
     * each of 15 month-end storage numbers, meter time the month's end; wireless meters with RSSI,
     * received with microseconds as the gateway's clock gives them.
     */
    static List<Reading> billing(int n) {
        List<Reading> out = new ArrayList<>(n);
        ZonedDateTime monthEnd = ZonedDateTime.of(2026, 11, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        Instant received = Instant.parse("2026-11-26T08:00:03.412518Z");
        int meter = 0;
        while (out.size() < n) {
            MeterId id = MeterId.of("wmbus", "KAM", String.format("%08d", 20_000_000 + meter));
            int rssi = -60 - meter % 35;
            Instant rx = received.plus(Duration.ofMillis(1_000L * meter + meter % 7)).plusNanos(1000L * (meter % 997));
            for (int storage = 1; storage <= 15 && out.size() < n; storage++) {
                Instant t = monthEnd.minusMonths(storage - 1).minusMinutes(1).toInstant();
                for (int tariff = 1; tariff <= 2 && out.size() < n; tariff++) {
                    long wh = 12_345_000L + meter * 1_000L - storage * 90_000L + tariff * 7_000L;
                    out.add(new Reading(id, Quantity.ENERGY, Unit.WH, BigDecimal.valueOf(wh), MeasurementFunction.INSTANTANEOUS,
                            storage, tariff, 0, t, rx, 0, rssi));
                    if (out.size() < n) {
                        out.add(new Reading(id, Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(wh / 40, 3),
                                MeasurementFunction.INSTANTANEOUS, storage, tariff, 0, t, rx, 0, rssi));
                    }
                }
            }
            meter++;
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
