package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.obis.Obis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of one readout or P1 telegram (IEC 62056-21 §6.3): identification message
 * {@code /XXXZ<ident>} (XXX manufacturer, Z baud rate character), the data sets, and what follows
 * {@code !} (P1's CRC digits). BCC (IEC 62056-21 §6.3.14: XOR of the bytes after STX up to and
 * including ETX) is checked when the data message carries one. Immutable.
 *
 * @param manufacturer   the three letters of the identification, or {@code null} without one
 * @param baudChar       the baud rate character Z, or {@code null}
 * @param identification the rest of the identification line, or {@code null}
 * @param dataSets       the data sets in order
 * @param afterEnd       the characters between {@code !} and the line end (P1 CRC), or {@code null} when no {@code !} was seen
 * @param endIndex       index of {@code !} in the telegram bytes, or -1
 */
public record Readout(String manufacturer, String baudChar, String identification, List<DataSet> dataSets, String afterEnd, int endIndex) {
    /** Parses one telegram as the framer cut it; throws for a wrong BCC or a malformed identification. */
    public static Readout parse(byte[] t) throws DecodeException {
        int p = 0;
        String man = null, baud = null, ident = null;
        if (t.length > 0 && t[0] == '/') {
            int lf = indexOf(t, (byte) '\n', 0);
            int end = lf < 0 ? t.length : lf;
            String line = new String(t, 1, Math.max(0, end - 1), StandardCharsets.ISO_8859_1).replace("\r", "");
            if (line.length() < 4) throw new DecodeException(DecodeException.Kind.SYNTAX, "identification message shorter than /XXXZ: '" + printable(line) + "'");
            man = line.substring(0, 3);
            baud = line.substring(3, 4);
            ident = line.substring(4);
            p = lf < 0 ? t.length : lf + 1;
        }
        int stx = -1, etx = -1;
        int first = p; // STX counts only as the first byte after the line ends (a P1 telegram has none)
        while (first < t.length && (t[first] == '\r' || t[first] == '\n')) first++;
        if (first < t.length && t[first] == ReadoutFramer.STX) {
            stx = first;
            for (int i = stx + 1; i < t.length; i++) {
                if (t[i] == ReadoutFramer.ETX) {
                    etx = i;
                    break;
                }
            }
        }
        if (stx >= 0 && etx >= 0) {
            if (etx + 1 >= t.length) throw new DecodeException(DecodeException.Kind.TRUNCATED, "readout ends before its BCC");
            int bcc = 0;
            for (int i = stx + 1; i <= etx; i++) bcc ^= t[i];
            int sent = t[etx + 1] & 0xFF;
            if ((bcc & 0xFF) != sent) {
                throw new DecodeException(DecodeException.Kind.CHECKSUM, String.format("BCC %02X does not match the readout (computed %02X)", sent, bcc & 0xFF));
            }
        }
        int dataStart = stx >= 0 ? stx + 1 : p;
        int bang = -1;
        int dataEnd = etx >= 0 ? etx : t.length;
        boolean inGroup = false;
        for (int i = dataStart; i < dataEnd; i++) { // the first '!' outside a value group
            byte b = t[i];
            if (b == '(') inGroup = true;
            else if (b == ')') inGroup = false;
            else if (b == '!' && !inGroup) {
                bang = i;
                break;
            }
        }
        String after = null;
        if (bang >= 0) {
            int e = bang + 1;
            while (e < t.length && t[e] != '\r' && t[e] != '\n' && t[e] != ReadoutFramer.ETX) e++;
            after = new String(t, bang + 1, e - bang - 1, StandardCharsets.ISO_8859_1);
        }
        List<DataSet> sets = dataSets(t, dataStart, bang >= 0 ? bang : dataEnd);
        return new Readout(man, baud, ident, sets, after, bang);
    }

    /** Data sets {@code address(group)(group)…}, several per line allowed; text outside them is skipped. */
    static List<DataSet> dataSets(byte[] t, int from, int to) {
        List<DataSet> out = new ArrayList<>();
        int i = from;
        SeenTexts.Entry<Obis> address = null;
        int[] bounds = new int[8];
        int count = 0;
        int addrStart = from; // the address is the printable text since the last line end, noise or group
        while (i < to) {
            byte b = t[i];
            if (b == '(') {
                int close = indexOf(t, (byte) ')', i + 1);
                if (close < 0 || close > to) close = to; // an unclosed group runs to the end
                int as = addrStart, ae = i;
                while (as < ae && t[as] == ' ') as++;
                while (ae > as && t[ae - 1] == ' ') ae--;
                if (ae > as) { // a new data set
                    if (address != null) out.add(dataSet(address, t, bounds, count));
                    address = ADDRESSES.of(t, as, ae);
                    count = 0; // bounds is reused: each data set keeps a copy of its own length
                }
                if (address != null) {
                    if (2 * count + 2 > bounds.length) bounds = java.util.Arrays.copyOf(bounds, bounds.length * 2);
                    bounds[2 * count] = i + 1;
                    bounds[2 * count + 1] = close;
                    count++;
                }
                i = close + 1;
                addrStart = i;
                continue;
            }
            if (b == '\r' || b == '\n' || b < 0x20 || b >= 0x7F) addrStart = i + 1; // an address never spans lines; noise is dropped
            i++;
        }
        if (address != null) out.add(dataSet(address, t, bounds, count));
        return out;
    }

    private static DataSet dataSet(SeenTexts.Entry<Obis> address, byte[] t, int[] bounds, int count) {
        return new DataSet(address.text(), address.meaning(), t, java.util.Arrays.copyOf(bounds, 2 * count), count);
    }

    /** Data set addresses and their OBIS codes ({@code null} for an address that is none). */
    private static final SeenTexts<Obis> ADDRESSES = new SeenTexts<>(1024, 32, Obis::parse);

    private static int indexOf(byte[] t, byte b, int from) {
        for (int i = from; i < t.length; i++) if (t[i] == b) return i;
        return -1;
    }

    /** {@code s} with control and non-ASCII characters shown as {@code ?}. */
    public static String printableText(String s) { return printable(s); }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(c >= 0x20 && c < 0x7F ? c : '?');
        return b.toString();
    }
}
