package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.io.ByteArrayOutputStream;

/**
 * The application layer of a compact frame (OMS Vol 2, EN 13757-7 CI 79/7B/73): format signature (2
 * bytes, LSB first), full-frame CRC (2 bytes, LSB first), then only the data of the records. The
 * records are rebuilt by interleaving the DIB/VIB bytes of the cached format with the data, checked
 * against the full-frame CRC (CRC-16 over the rebuilt records), then decoded like a full frame. Pure
 * and thread-safe (the cache is).
 */
final class CompactFrame {
    private CompactFrame() {}

    static ApplicationLayer.DataRecords decode(byte[] b, int from, int to, FormatCache formats, String model) throws DecodeException {
        if (to - from < 4) throw new DecodeException(Kind.TRUNCATED, "compact frame needs a format signature and a full-frame CRC");
        int signature = (b[from] & 0xFF) | (b[from + 1] & 0xFF) << 8;
        int fullCrc = (b[from + 2] & 0xFF) | (b[from + 3] & 0xFF) << 8;
        if (formats == null) {
            throw new DecodeException(Kind.UNSUPPORTED, String.format(
                    "compact frame with format signature %04X: decoded only with a format cache of full frames heard", signature));
        }
        byte[] format = formats.lookup(model, signature);
        if (format == null) {
            throw new DecodeException(Kind.UNSUPPORTED, String.format(
                    "compact frame with format signature %04X: no full frame of that format heard from %s yet", signature, model));
        }
        byte[] full = rebuild(format, b, from + 4, to);
        if (Crc16.of(full, 0, full.length) != fullCrc) {
            throw new DecodeException(Kind.CHECKSUM, String.format(
                    "compact frame does not fit format %04X (full-frame CRC %04X expected, rebuilt %04X)",
                    signature, fullCrc, Crc16.of(full, 0, full.length)));
        }
        return DataRecordParser.parse(full, 0, full.length, false, null, null, false);
    }

    /** DIB, VIB (from the format) and data (from the compact frame) of every record, in order. */
    private static byte[] rebuild(byte[] format, byte[] b, int from, int to) throws DecodeException {
        ByteCursor f = new ByteCursor(format, 0, format.length, null);
        ByteCursor v = new ByteCursor(b, from, to, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream(format.length + to - from);
        while (f.remaining() > 0) {
            int start = f.pos;
            int dif = f.next();
            if (dif == 0x0F || dif == 0x1F) { // manufacturer data to the end (EN 13757-3 §6.3.3)
                out.write(dif);
                out.write(b, v.pos, v.remaining());
                return out.toByteArray();
            }
            for (int e = dif, n = 0; (e & 0x80) != 0; n++) {
                if (n == DataRecordParser.MAX_EXTENSIONS) throw f.error(Kind.SYNTAX, "more than 10 DIFEs in the cached format");
                e = f.next();
            }
            VifDecoder.decode(f, false); // only to find the end of the VIB
            out.write(format, start, f.pos - start);
            DataFieldCoding coding = DataFieldCoding.ofDif(dif);
            int len = coding.length();
            if (coding == DataFieldCoding.VARIABLE) {
                int lvar = v.next();
                out.write(lvar);
                len = DataRecordParser.lvarLength(v, lvar);
            }
            out.write(b, v.take(len), len);
        }
        while (v.remaining() > 0) { // only idle fillers may follow (EN 13757-3 §6.3.3), e.g. padding to an AES block
            if (v.next() != 0x2F) throw v.error(Kind.SYNTAX, "compact frame holds more data than its format describes");
        }
        return out.toByteArray();
    }
}
