package io.meterlink.core.runtime;

import java.io.PrintStream;

/** Told the sequence numbers of readings once their transaction committed (on the buffer's writer thread: must not block). */
@FunctionalInterface
public interface AcceptedListener {
    AcceptedListener NONE = seqs -> { };

    void accepted(long[] seqs);

    /**
     * Prints {@code ACCEPTED <first>-<last>} for each run of consecutive sequence numbers: the
     * test hook behind {@code -Dmeterlink.trace.accepted=true} (a kill -9 test reads it).
     */
    static AcceptedListener trace(PrintStream out) {
        return seqs -> {
            if (seqs.length == 0) return;
            StringBuilder sb = new StringBuilder();
            int start = 0;
            for (int i = 1; i <= seqs.length; i++) {
                if (i == seqs.length || seqs[i] != seqs[i - 1] + 1) {
                    sb.append("ACCEPTED ").append(seqs[start]).append('-').append(seqs[i - 1]).append('\n');
                    start = i;
                }
            }
            synchronized (out) {
                out.print(sb);
                out.flush();
            }
        };
    }
}
