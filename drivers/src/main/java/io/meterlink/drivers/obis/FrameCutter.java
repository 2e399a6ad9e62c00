package io.meterlink.drivers.obis;

import io.meterlink.core.api.driver.DecodeException;

import java.util.Arrays;

/**
 * What the stream framers of the OBIS families share (SML transport, readouts and P1 telegrams): the
 * bytes fed and not yet cut, their stream offset, and the bytes skipped outside any frame, reported
 * once per run of them as {@code truncated}. A subclass finds its frames in {@link #buf}
 * {@code [0, len)} and says how many bytes it is done with. Not thread-safe.
 */
public abstract class FrameCutter {
    /** Where frames and errors go, with the stream offset where each began. */
    public interface Listener {
        void frame(byte[] bytes, long offset);

        void error(DecodeException e, long offset);
    }

    protected byte[] buf = new byte[2048];
    protected int len;
    /** Stream offset of buf[0]. */
    protected long base;
    private long junk;
    private long junkAt;
    private final String what;

    /** @param what the frame's name in the report of skipped bytes, e.g. {@code telegram} */
    protected FrameCutter(String what) { this.what = what; }

    public final void feed(byte[] in, int off, int n, Listener out) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        System.arraycopy(in, off, buf, len, n);
        len += n;
        compact(scan(out, false));
    }

    /** The stream ended: what is left is cut as far as it goes, the rest counted as skipped. */
    public final void end(Listener out) {
        compact(scan(out, true));
        skip(0, len);
        compact(len);
        reportJunk(out);
    }

    /** Cuts the frames in {@code buf[0, len)}; returns how many bytes are done with (the rest waits for more, unless {@code atEnd}). */
    protected abstract int scan(Listener out, boolean atEnd);

    /** Bytes between frames that are not counted as skipped (line idle characters); none by default. */
    protected boolean idle(byte b) { return false; }

    private void compact(int consumed) {
        if (consumed == 0) return; // no frame complete yet: nothing to move
        System.arraycopy(buf, consumed, buf, 0, len - consumed);
        len -= consumed;
        base += consumed;
    }

    /** Counts {@code buf[from, from + n)} as skipped outside any frame. */
    protected final void skip(int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (idle(buf[i])) continue;
            if (junk == 0) junkAt = base + i;
            junk++;
        }
    }

    /** Reports the bytes skipped since the last report, if any. */
    protected final void reportJunk(Listener out) {
        if (junk > 0) {
            out.error(new DecodeException(DecodeException.Kind.TRUNCATED, junk + " bytes outside any complete " + what + " skipped"), junkAt);
            junk = 0;
        }
    }
}
