package io.meterlink.drivers.sml;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.crc.Crc16;
import io.meterlink.drivers.obis.FrameCutter;

import java.util.Arrays;

/**
 * Cuts a byte stream into SML files (SML 1.04 §8, transport protocol version 1): start escape
 * {@code 1B1B1B1B 01010101}, the messages in 4-byte blocks (a data block {@code 1B1B1B1B} is sent
 * twice), then {@code 1B1B1B1B 1A nn c1 c2}: nn fill bytes at the end of the data, and a CRC-16 over
 * everything from the start escape up to nn. Meters use CRC-16/X-25 (the standard) or CRC-16/KERMIT
 * (e.g. Holley DTZ541); either is taken, in either byte order. A file whose CRC fails, that is cut
 * by a new start or by the end of the stream, or that holds an unknown escape gives an error, never
 * data. Bytes outside a file (a stream that starts mid-file) are reported once per run. Not thread-safe.
 */
final class SmlTransport extends FrameCutter {
    static final int MAX_FILE = 64 * 1024;
    private static final byte ESC = 0x1B;
    /** The data of the file being read, unescaped so far (reused from file to file). */
    private byte[] data = new byte[1024];
    private int dataLen;
    /** The file at buf[0] waits for more bytes: its data so far is in {@link #data}, and it goes on at {@link #pendingAt} (a feed of a few bytes at a time stays linear). */
    private boolean pending;
    private int pendingAt;

    SmlTransport() { super("SML file"); }

    @Override
    protected int scan(Listener out, boolean atEnd) {
        if (atEnd) {
            pending = false;
            if (len >= 8 && isStart(0)) {
                out.error(new DecodeException(DecodeException.Kind.TRUNCATED, "the stream ended inside an SML file"), base);
                return len;
            }
            return 0;
        }
        int i = 0;
        while (true) {
            int start = findStart(i);
            if (start < 0) {
                int keep = Math.min(len - i, 7); // a start escape may be arriving
                skip(i, len - i - keep);
                return len - keep;
            }
            skip(i, start - i);
            reportJunk(out);
            int next = file(start, out);
            if (next < 0) return start; // incomplete: wait for more bytes
            i = next;
        }
    }

    private int findStart(int from) {
        for (int i = from; i + 8 <= len; i++) {
            if (isStart(i)) return i;
        }
        return -1;
    }

    private boolean isStart(int i) {
        return buf[i] == ESC && buf[i + 1] == ESC && buf[i + 2] == ESC && buf[i + 3] == ESC
                && buf[i + 4] == 1 && buf[i + 5] == 1 && buf[i + 6] == 1 && buf[i + 7] == 1;
    }

    /**
     * Reads the file starting at {@code start}; returns the index after it (after reporting it or its
     * error), or -1 when more bytes are needed.
     */
    private int file(int start, Listener out) {
        long offset = base + start;
        int j;
        if (pending && start == 0) {
            j = pendingAt;
        } else {
            dataLen = 0;
            j = start + 8;
        }
        pending = false;
        while (true) {
            if (j - start > MAX_FILE) {
                out.error(new DecodeException(DecodeException.Kind.LENGTH, "no end escape within " + MAX_FILE + " bytes"), offset);
                return start + 8;
            }
            if (j + 4 > len) return waitAt(j - start);
            if (!(buf[j] == ESC && buf[j + 1] == ESC && buf[j + 2] == ESC && buf[j + 3] == ESC)) {
                int k = j + 4; // the run of plain blocks up to the next escape or the end of the bytes: copied at once
                while (k + 4 <= len && k - start <= MAX_FILE && !(buf[k] == ESC && buf[k + 1] == ESC && buf[k + 2] == ESC && buf[k + 3] == ESC)) k += 4;
                append(j, k - j);
                j = k;
                continue;
            }
            if (j + 8 > len) return waitAt(j - start);
            if (buf[j + 4] == ESC && buf[j + 5] == ESC && buf[j + 6] == ESC && buf[j + 7] == ESC) {
                append(j, 4);
                j += 8;
            } else if (isStart(j)) {
                out.error(new DecodeException(DecodeException.Kind.TRUNCATED, "SML file cut short by the start of the next one"), offset);
                return j;
            } else if (buf[j + 4] == 0x1A) {
                int fill = buf[j + 5] & 0xFF;
                int crc = (buf[j + 6] & 0xFF) << 8 | buf[j + 7] & 0xFF;
                if (!crcMatches(start, j + 6, crc)) {
                    out.error(new DecodeException(DecodeException.Kind.CHECKSUM, String.format("SML file CRC %04X does not match its content", crc)), offset);
                } else if (fill > 3 || fill > dataLen) {
                    out.error(new DecodeException(DecodeException.Kind.SYNTAX, "fill byte count " + fill + " out of 0..3"), offset);
                } else {
                    out.frame(Arrays.copyOf(data, dataLen - fill), offset);
                }
                return j + 8;
            } else {
                out.error(new DecodeException(DecodeException.Kind.SYNTAX, String.format("unknown escape sequence 1B1B1B1B %02X%02X%02X%02X",
                        buf[j + 4], buf[j + 5], buf[j + 6], buf[j + 7])), offset);
                return j + 4;
            }
        }
    }

    /** The file needs more bytes; it will be at buf[0] when they come, so it resumes at {@code at}. */
    private int waitAt(int at) {
        pending = true;
        pendingAt = at;
        return -1;
    }

    private void append(int from, int n) {
        if (dataLen + n > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, dataLen + n));
        System.arraycopy(buf, from, data, dataLen, n);
        dataLen += n;
    }

    private boolean crcMatches(int from, int to, int crc) {
        int swapped = (crc & 0xFF) << 8 | crc >>> 8;
        int x25 = Crc16.X25.of(buf, from, to);
        if (x25 == crc || x25 == swapped) return true;
        int kermit = Crc16.KERMIT.of(buf, from, to);
        return kermit == crc || kermit == swapped;
    }
}
