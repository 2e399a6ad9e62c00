package io.meterlink.sim.mbus;

import io.meterlink.drivers.mbus.MbusFrame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Several virtual slaves sharing one line: requests are dispatched by primary address. Broadcast
 * SND_NKE (address 255, EN 13757-2 §5.6) resets every slave without an answer. Secondary addressing
 * (EN 13757-3 §11): SND_UD with CI 52 to address 253 selects the slaves that fit the mask (E5 when
 * at least one does) and deselects the others; requests to address 253 then go to the selected
 * slave; two selected slaves answering at once give a collision (garbled bytes). Line noise can be
 * queued to go out before the next answer. Thread-safe.
 */
public final class VirtualMbusBus {
    private static final int BROADCAST_NO_REPLY = 255;
    private static final int SELECTED = 253;
    private static final int CI_SELECT = 0x52;
    private final java.util.Set<Integer> selected = new java.util.TreeSet<>();
    private final Map<Integer, VirtualMbusSlave> slaves = new TreeMap<>();
    private final ConcurrentLinkedQueue<byte[]> noise = new ConcurrentLinkedQueue<>();
    private volatile AnswerFilter filter = (address, answer) -> answer;

    /**
     * Changes what goes on the line for one answer (fault injection: corrupt, truncate, prefix
     * garbage, delay). Called on the line's serving thread, after queued noise was prefixed; may block
     * to make the answer late (on a real byte pipe: TCP or pty).
     */
    @FunctionalInterface
    public interface AnswerFilter {
        /** @param address the request's address; returns the bytes to send, or {@code null} for silence */
        byte[] apply(int address, byte[] answer);
    }

    public VirtualMbusBus(List<VirtualMbusSlave> slaves) {
        for (VirtualMbusSlave s : slaves) {
            if (this.slaves.put(s.address(), s) != null) throw new IllegalArgumentException("two slaves at address " + s.address());
        }
    }

    public List<VirtualMbusSlave> slaves() { return List.copyOf(slaves.values()); }

    /** Bytes to put on the line just before the next answer (fault injection). */
    public void injectNoiseBeforeNextAnswer(byte[] bytes) { noise.add(bytes.clone()); }

    /** Every answer passes through this filter from now on (see {@link AnswerFilter}). */
    public void setAnswerFilter(AnswerFilter filter) { this.filter = java.util.Objects.requireNonNull(filter, "filter"); }

    /** The bytes the line carries back for a master request, or {@code null} for silence. */
    public synchronized byte[] handle(MbusFrame request) {
        if (request instanceof MbusFrame.Long l) return select(l);
        if (!(request instanceof MbusFrame.Short s)) return null;
        if (s.address() == BROADCAST_NO_REPLY) {
            for (VirtualMbusSlave slave : slaves.values()) slave.answer(s);
            return null;
        }
        byte[] answer;
        if (s.address() == SELECTED) {
            List<byte[]> answers = new ArrayList<>();
            for (int a : selected) {
                VirtualMbusSlave slave = slaves.get(a);
                byte[] one = slave.answer(s);
                if (one != null) answers.add(one);
            }
            if (answers.isEmpty()) return null;
            answer = answers.size() == 1 ? answers.get(0) : collision(answers);
        } else {
            VirtualMbusSlave slave = slaves.get(s.address());
            answer = slave == null ? null : slave.answer(s);
        }
        if (answer == null) return null;
        byte[] n = noise.poll();
        if (n == null) return filter.apply(s.address(), answer);
        byte[] out = new byte[n.length + answer.length];
        System.arraycopy(n, 0, out, 0, n.length);
        System.arraycopy(answer, 0, out, n.length, answer.length);
        return filter.apply(s.address(), out);
    }

    /** SND_UD to 253 with CI 52: selection by secondary address. */
    private byte[] select(MbusFrame.Long l) {
        if (l.address() != SELECTED || l.ci() != CI_SELECT || (l.control() & 0xCF) != 0x43) return null;
        selected.clear();
        byte[] mask = l.data();
        for (VirtualMbusSlave slave : slaves.values()) {
            if (slave.answersNow() && slave.matchesSelection(mask)) {
                selected.add(slave.address());
                slave.resetLink(); // a newly selected slave starts a fresh FCB sequence
            }
        }
        return selected.isEmpty() ? null : new MbusFrame.Ack().toBytes();
    }

    /** Two slaves sending at once: the bytes OR together on the wire (a frame that fails its checksum). */
    private static byte[] collision(List<byte[]> answers) {
        int n = 0;
        for (byte[] a : answers) n = Math.max(n, a.length);
        byte[] out = new byte[n];
        for (byte[] a : answers) {
            for (int i = 0; i < a.length; i++) out[i] |= a[i];
        }
        return out;
    }

    /** Every slave's ledger, concatenated. */
    public List<LedgerEntry> ledger() {
        List<LedgerEntry> all = new ArrayList<>();
        for (VirtualMbusSlave s : slaves.values()) all.addAll(s.ledger());
        return all;
    }
}
