package io.meterlink.sim.mbus;

import io.meterlink.drivers.mbus.MbusFrame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Several virtual slaves sharing one line: requests are dispatched by primary address. Broadcast
 * SND_NKE (address 255, EN 13757-2 §5.6) resets every slave without an answer. Line noise can be
 * queued to go out before the next answer. Thread-safe.
 */
public final class VirtualMbusBus {
    private static final int BROADCAST_NO_REPLY = 255;
    private final Map<Integer, VirtualMbusSlave> slaves = new TreeMap<>();
    private final ConcurrentLinkedQueue<byte[]> noise = new ConcurrentLinkedQueue<>();

    public VirtualMbusBus(List<VirtualMbusSlave> slaves) {
        for (VirtualMbusSlave s : slaves) {
            if (this.slaves.put(s.address(), s) != null) throw new IllegalArgumentException("two slaves at address " + s.address());
        }
    }

    public List<VirtualMbusSlave> slaves() { return List.copyOf(slaves.values()); }

    /** Bytes to put on the line just before the next answer (fault injection). */
    public void injectNoiseBeforeNextAnswer(byte[] bytes) { noise.add(bytes.clone()); }

    /** The bytes the line carries back for a master request, or {@code null} for silence. */
    public synchronized byte[] handle(MbusFrame request) {
        if (!(request instanceof MbusFrame.Short s)) return null;
        if (s.address() == BROADCAST_NO_REPLY) {
            for (VirtualMbusSlave slave : slaves.values()) slave.answer(s);
            return null;
        }
        VirtualMbusSlave slave = slaves.get(s.address());
        byte[] answer = slave == null ? null : slave.answer(s);
        if (answer == null) return null;
        byte[] n = noise.poll();
        if (n == null) return answer;
        byte[] out = new byte[n.length + answer.length];
        System.arraycopy(n, 0, out, 0, n.length);
        System.arraycopy(answer, 0, out, n.length, answer.length);
        return out;
    }

    /** Every slave's ledger, concatenated. */
    public List<LedgerEntry> ledger() {
        List<LedgerEntry> all = new ArrayList<>();
        for (VirtualMbusSlave s : slaves.values()) all.addAll(s.ledger());
        return all;
    }
}
