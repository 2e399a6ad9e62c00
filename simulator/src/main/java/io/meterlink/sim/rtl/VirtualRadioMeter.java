package io.meterlink.sim.rtl;

import io.meterlink.drivers.ert.ErtPacket;
import io.meterlink.drivers.ert.ErtProtocol;

import java.time.Instant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One simulated 900 MHz meter: its protocol, id and ERT type, a register that grows between
 * transmissions, and the packet fields it sends each time (IDM/NetIDM with the interval
 * differentials of its last transmissions, most recent first). Keeps every consumption it sent.
 * Not thread-safe; the server guards it.
 */
public final class VirtualRadioMeter {
    private static final int[] ERT_TYPES = {4, 5, 7, 8, 2, 9, 12, 3, 11, 13};

    private final ErtProtocol protocol;
    private final long id;
    private final int type;
    private long consumption;
    private final List<Long> sent = new ArrayList<>();
    private final List<Sent> ledger = new ArrayList<>();
    private final int[] deltas = new int[47];
    private int transmissions;

    VirtualRadioMeter(ErtProtocol protocol, long id, int type, long consumption) {
        this.protocol = protocol;
        this.id = id;
        this.type = type;
        this.consumption = consumption;
    }

    /** A meter with a random id the protocol can carry (R900: one whose first symbol an R900 receiver's preamble accepts). */
    public static VirtualRadioMeter random(ErtProtocol p, Random rnd) {
        long id = switch (p) {
            case SCM -> 1 + rnd.nextInt((1 << 26) - 1);
            case R900, R900BCD -> ((6L + rnd.nextInt(12)) << 27) | rnd.nextInt(1 << 27);
            default -> 1 + (rnd.nextLong() & 0xFFFFFFFFL) % 0xFFFFFFFEL;
        };
        int type = p.isR900() ? 163 : ERT_TYPES[rnd.nextInt(ERT_TYPES.length)];
        long start = p == ErtProtocol.R900BCD ? rnd.nextInt(500_000) : rnd.nextInt(5_000_000);
        return new VirtualRadioMeter(p, id, type, start);
    }

    public ErtProtocol protocol() { return protocol; }
    public long id() { return id; }
    public int type() { return type; }

    /** Every consumption sent so far, oldest first. */
    public List<Long> sent() { return List.copyOf(sent); }

    /** One packet sent: when its last sample went out, and what a correct receiver decodes from it. */
    public record Sent(Instant at, ErtPacket packet) {}

    void markSent(long value, ErtPacket packet, Instant at) {
        sent.add(value);
        ledger.add(new Sent(at, packet));
    }

    /** Every packet sent so far, oldest first. */
    public List<Sent> ledger() { return List.copyOf(ledger); }

    public int[] intervals() { return deltas.clone(); }

    /** The fields of the next transmission; the register moves on first. */
    public Map<String, Long> next(Random rnd) {
        int delta = 1 + rnd.nextInt(protocol == ErtProtocol.IDM ? 500 : 2000); // never 0: a repeat would be taken for the same packet
        long max = switch (protocol) {
            case SCM -> 1L << 24;
            case R900 -> 1L << 24;
            case R900BCD -> 1_000_000L;
            case NETIDM -> 1L << 24;
            default -> 1L << 32;
        };
        if (transmissions++ > 0) {
            consumption = (consumption + delta) % max;
            System.arraycopy(deltas, 0, deltas, 1, deltas.length - 1);
            deltas[0] = delta;
        }
        Map<String, Long> f = new LinkedHashMap<>();
        switch (protocol) {
            case SCM -> {
                f.put("id", id);
                f.put("ert_type", (long) type);
                f.put("tamper_phy", (long) rnd.nextInt(4));
                f.put("consumption", consumption);
            }
            case SCM_PLUS -> {
                f.put("protocol_id", 0x1EL);
                f.put("endpoint_type", (long) type);
                f.put("endpoint_id", id);
                f.put("consumption", consumption);
            }
            case IDM, NETIDM -> {
                boolean idm = protocol == ErtProtocol.IDM;
                f.put(idm ? "packet_type" : "protocol_id", 0x1CL);
                f.put("packet_length", 0x5CL);
                f.put("hamming_code", 0xC6L);
                f.put("application_version", 4L);
                f.put("ert_type", (long) type);
                f.put("ert_serial", id);
                f.put("interval_count", (long) (transmissions & 0xFF));
                f.put("programming_state", 0xBCL);
                f.put("last_consumption", consumption);
                if (!idm) {
                    f.put("last_generation", (long) rnd.nextInt(1 << 16));
                    f.put("last_consumption_net", consumption);
                }
                f.put("transmit_time_offset", 0L); // each packet closes an interval here: the newest interval ends as it is sent
            }
            case R900, R900BCD -> {
                f.put("id", id);
                f.put("unkn1", (long) type);
                f.put("nouse", (long) (rnd.nextInt(8) == 0 ? rnd.nextInt(64) : 0));
                f.put("backflow", (long) (rnd.nextInt(8) == 0 ? rnd.nextInt(4) : 0));
                f.put("consumption", consumption);
                f.put("leak", (long) (rnd.nextInt(8) == 0 ? rnd.nextInt(16) : 0));
                f.put("leaknow", (long) (rnd.nextInt(8) == 0 ? rnd.nextInt(4) : 0));
            }
        }
        return f;
    }

    /** The consumption the last {@link #next} put in its packet. */
    public long consumption() { return consumption; }

    /** The manifest entry. */
    Map<String, Object> manifest() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("protocol", protocol.wireName());
        m.put("type", type);
        m.put("consumptions", sent());
        return m;
    }
}
