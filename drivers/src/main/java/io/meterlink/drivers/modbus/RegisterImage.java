package io.meterlink.drivers.modbus;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registers and bits read from one meter in one poll (or given in a register dump), by function
 * code and address. Not thread-safe.
 */
public final class RegisterImage {
    private final Map<Integer, TreeMap<Integer, Integer>> byFunction = new HashMap<>();

    /** Stores {@code words} (registers 0..65535, or bits 0/1) read with {@code function} from {@code start} on. */
    public void put(int function, int start, int[] words) {
        TreeMap<Integer, Integer> m = byFunction.computeIfAbsent(function, f -> new TreeMap<>());
        for (int i = 0; i < words.length; i++) m.put(start + i, words[i] & 0xFFFF);
    }

    /** The {@code count} words from {@code start}, or {@code null} when any of them was not read. */
    public int[] get(int function, int start, int count) {
        TreeMap<Integer, Integer> m = byFunction.get(function);
        if (m == null) return null;
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            Integer w = m.get(start + i);
            if (w == null) return null;
            out[i] = w;
        }
        return out;
    }

    public boolean isEmpty() { return byFunction.values().stream().allMatch(Map::isEmpty); }
}
