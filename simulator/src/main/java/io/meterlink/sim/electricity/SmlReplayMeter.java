package io.meterlink.sim.electricity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Replays a recorded SML stream (a real meter's dump, as {@code ../shared/testdata/sml/*.bin}) as a
 * pushing meter: each {@link #next} is the next piece of the recording, cut before each start escape
 * {@code 1B1B1B1B 01010101} (so one SML file per push, and whatever the recording holds before its first
 * start or between files goes with it); after the last piece it starts over. Its readings are the
 * recording's, not predicted: the ledger stays empty (compare with the dump decoded directly). Thread-safe.
 */
public final class SmlReplayMeter implements PushMeter {
    private final List<byte[]> pieces = new ArrayList<>();
    private int next;

    public SmlReplayMeter(Path recording) throws IOException {
        byte[] b = Files.readAllBytes(recording);
        if (b.length == 0) throw new IOException(recording + " is empty");
        int from = 0;
        for (int i = 1; i + 8 <= b.length; i++) {
            if (isStart(b, i)) {
                pieces.add(Arrays.copyOfRange(b, from, i));
                from = i;
            }
        }
        pieces.add(Arrays.copyOfRange(b, from, b.length));
    }

    private static boolean isStart(byte[] b, int i) {
        for (int k = 0; k < 4; k++) if (b[i + k] != 0x1B || b[i + 4 + k] != 0x01) return false;
        return true;
    }

    /** How many pieces one pass over the recording has. */
    public int pieces() { return pieces.size(); }

    @Override
    public synchronized byte[] next(Instant now) {
        byte[] p = pieces.get(next);
        next = (next + 1) % pieces.size();
        return p.clone();
    }

    @Override public List<ElectricityLedgerEntry> ledger() { return List.of(); }
}
