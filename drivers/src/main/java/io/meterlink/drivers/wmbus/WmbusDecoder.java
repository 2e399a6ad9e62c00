package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.drivers.mbus.Crc16;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.mbus.ApplicationLayer;
import io.meterlink.drivers.mbus.FormatCache;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Decodes one wireless M-Bus frame: link layer (EN 13757-4, CRCs present or removed), extended link
 * layer CI 8C/8D/8E/8F (8D/8F with AES-128-CTR), authentication and fragmentation layer CI 90 (MAC
 * verified), transport layer CI 72/7A/78 (full frames) and 73/7B/79 (compact frames, rebuilt from a
 * {@link FormatCache}) with security mode 5 (AES-CBC) or 7 (AES-CBC, CMAC key derivation, OMS Vol 2
 * §9), then the data records (EN 13757-3). Thread-safe; pure but for the format cache it is given.
 * A telegram whose checks fail is refused with a typed {@link DecodeException}: a missing key is
 * {@code NO_KEY}, a wrong key {@code WRONG_KEY}, a MAC mismatch {@code AUTHENTICATION}; never a
 * reading from undecryptable bytes. A record that cannot be decoded after good ones ends the
 * records ({@link WmbusTelegram#undecoded()}).
 */
public final class WmbusDecoder {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private WmbusDecoder() {}

    /**
     * Decodes one frame, starting with its L field.
     *
     * @param frame a wireless frame, with or without its block CRCs (format A or B)
     * @param keys  where to find meter keys; {@link KeyLookup#none()} when there are none
     */
    public static WmbusTelegram decode(byte[] frame, KeyLookup keys) throws DecodeException {
        return decode(frame, keys, null);
    }

    /**
     * Decodes one frame, learning the format of full frames into {@code formats} and rebuilding
     * compact frames (CI 79/7B/73) from it.
     *
     * @param formats formats heard so far (shared across telegrams), or {@code null}: then compact
     *                frames are refused ({@code UNSUPPORTED})
     */
    public static WmbusTelegram decode(byte[] frame, KeyLookup keys, FormatCache formats) throws DecodeException {
        return decode(frame, keys, formats, DriverSet.builtin());
    }

    /**
     * As {@link #decode(byte[], KeyLookup, FormatCache)} with the driver files of {@code drivers}
     * (the two- and three-argument forms use {@link DriverSet#builtin()}): a matching driver adds
     * its named values ({@link WmbusTelegram#driverValues()}) on top of the generic records.
     */
    public static WmbusTelegram decode(byte[] frame, KeyLookup keys, FormatCache formats, DriverSet drivers) throws DecodeException {
        byte[] f = LinkLayer.stripShared(frame);
        return new Parse(f, keys, formats, drivers, f == frame && LinkLayer.couldBeFormatBWithWrongLastCrc(f)).run(); // Parse never writes into f
    }

    /**
     * As {@link #decode(byte[], KeyLookup, FormatCache)} for a frame whose CRCs a dongle already
     * checked and removed: taken as it is (bytes after the L-declared end ignored), never guessed at
     * as format A or B.
     */
    public static WmbusTelegram decodeWithoutCrcs(byte[] frame, KeyLookup keys, FormatCache formats) throws DecodeException {
        return decodeWithoutCrcs(frame, keys, formats, DriverSet.builtin());
    }

    /** As {@link #decodeWithoutCrcs(byte[], KeyLookup, FormatCache)} with the driver files of {@code drivers}. */
    public static WmbusTelegram decodeWithoutCrcs(byte[] frame, KeyLookup keys, FormatCache formats, DriverSet drivers) throws DecodeException {
        return new Parse(LinkLayer.withoutCrcs(frame), keys, formats, drivers, false).run();
    }

    /** EN 13757-3 §5.4 / EN 62056-21: three letters of 5 bits each, 'A' = 1; 4 hex digits when not letters. */
    static String manufacturer(int code) {
        char[] c = {(char) (64 + (code >> 10 & 0x1F)), (char) (64 + (code >> 5 & 0x1F)), (char) (64 + (code & 0x1F))};
        for (char ch : c) {
            if (ch < 'A' || ch > 'Z') return String.format("%04X", code);
        }
        return new String(c);
    }

    /** Identification number: 4 bytes LSB first, printed as 8 (BCD) digits. */
    static String id(byte[] f, int at) {
        char[] c = new char[8];
        for (int i = 0; i < 4; i++) {
            int b = f[at + 3 - i] & 0xFF;
            c[2 * i] = HEX_DIGITS[b >> 4];
            c[2 * i + 1] = HEX_DIGITS[b & 0x0F];
        }
        return new String(c);
    }

    private static final char[] HEX_DIGITS = "0123456789ABCDEF".toCharArray();

    /** One decoding run: the working state of a single frame. */
    private static final class Parse {
        private byte[] f;
        private final KeyLookup keys;
        private final FormatCache formats;
        private final DriverSet drivers;
        private final WmbusTelegram.LinkHeader link;
        private int p = LinkLayer.HEADER;
        private int ellAccess = -1;
        private int security;
        // AFL (CI 90) fields, when present
        private byte[] aflMac;
        private byte[] aflMcl;
        private byte[] aflMcr;
        private byte[] aflMl;
        /** The metering device's manufacturer and id, once the TPL header is read. */
        private String tplMan;
        private String tplId;
        /** The configuration announced more ciphertext than the frame holds. */
        private boolean cutShort;
        /** No link-layer CRC found, and the frame may be a format B frame whose last CRC failed. */
        private final boolean maybeBadB;
        /** A payload CRC, the 2F 2F after decryption with a key, or a MAC covered the records. */
        private boolean payloadChecked;

        Parse(byte[] f, KeyLookup keys, FormatCache formats, DriverSet drivers, boolean maybeBadB) {
            this.f = f;
            this.keys = keys;
            this.formats = formats;
            this.drivers = drivers;
            this.maybeBadB = maybeBadB;
            int man = (f[2] & 0xFF) | (f[3] & 0xFF) << 8;
            this.link = new WmbusTelegram.LinkHeader(f[1] & 0xFF, manufacturer(man), id(f, 4), f[8] & 0xFF, f[9] & 0xFF);
        }

        private String meter() { return MeterId.of(WmbusReadingMapper.FAMILY, link.manufacturer(), link.id()).toString(); }

        /** The metering device for errors after the TPL header: built only when there is an error. */
        private String device() { return MeterId.of(WmbusReadingMapper.FAMILY, tplMan, tplId).toString(); }

        private DecodeException error(Kind kind, String message) { return new DecodeException(kind, message, meter(), null); }

        private void need(int n, String what) throws DecodeException {
            if (p + n > f.length) throw error(Kind.TRUNCATED, what + " needs " + n + " bytes, " + (f.length - p) + " left");
        }

        WmbusTelegram run() throws DecodeException {
            for (int layer = 0; layer < 4; layer++) {
                need(1, "CI field");
                int ci = f[p] & 0xFF;
                switch (ci) {
                    case 0x8C -> ell(3, false);          // EN 13757-4 §13.2.2 ELL I: CC, ACC
                    case 0x8E -> ell(11, false);         // ELL III: CC, ACC, M2, A2
                    case 0x8D -> ell(7, true);           // ELL II: CC, ACC, SN (+ payload CRC)
                    case 0x8F -> ell(15, true);          // ELL IV: CC, ACC, M2, A2, SN (+ payload CRC)
                    case 0x90 -> afl();                  // EN 13757-7 §6 / OMS Vol 2 §6: AFL
                    case 0x72, 0x7A, 0x78, 0x73, 0x7B, 0x79 -> { // EN 13757-7 Table 2: full and compact frames
                        return tpl(ci);
                    }
                    default -> {
                        if (ci >= 0xA0 && ci <= 0xB7) { // EN 13757-7 Table 2: manufacturer specific CI
                            DriverFile d = drivers.match(link.manufacturer(), link.version(), link.deviceType(), ci);
                            List<DriverValue> values = d == null ? List.of() : d.apply(f, p + 1, f.length, p + 1, List.of());
                            return new WmbusTelegram(link, link.manufacturer(), link.id(), link.version(), link.deviceType(), ci,
                                    ellAccess, 0, security, List.of(), HEX.formatHex(f, p + 1, f.length), null,
                                    d == null ? null : d.name(), values);
                        }
                        throw error(Kind.UNSUPPORTED, String.format("CI %02X not supported", ci));
                    }
                }
            }
            throw error(Kind.SYNTAX, "too many link layers");
        }

        /** Extended link layer (EN 13757-4 §13.2); with a session number, AES-128-CTR (§13.2.12). */
        private void ell(int len, boolean withSession) throws DecodeException {
            need(len, "ELL");
            int cc = f[p + 1] & 0xFF;
            ellAccess = f[p + 2] & 0xFF;
            int start = p;
            p += len;
            if (!withSession) return;
            int snAt = start + len - 4;
            long sn = (f[snAt] & 0xFFL) | (f[snAt + 1] & 0xFFL) << 8 | (f[snAt + 2] & 0xFFL) << 16 | (f[snAt + 3] & 0xFFL) << 24;
            int enc = (int) (sn >>> 29);
            need(3, "ELL payload");
            payloadChecked = true; // the payload CRC is checked below, whatever the encryption
            if (enc == 0) {
                if (!payloadCrcOk(f, p)) throw error(Kind.CHECKSUM, "ELL payload CRC is wrong");
            } else if (enc == 1) {
                security = WmbusTelegram.SECURITY_ELL_CTR;
                Optional<byte[]> key = keys.key(link.manufacturer(), link.id());
                byte[] plain = null;
                if (key.isPresent()) {
                    byte[] iv = new byte[16]; // M(2) A(6) CC SN(4) FN(2)=0 BC=0
                    System.arraycopy(f, 2, iv, 0, 8);
                    iv[8] = (byte) (cc & ~0x10);
                    System.arraycopy(f, snAt, iv, 9, 4);
                    byte[] k = checkKey(key.get());
                    byte[] dec = crypt(() -> WmbusCrypto.ctr(k, iv, f, p, f.length - p));
                    if (payloadCrcOk(dec, 0)) plain = dec;
                }
                if (plain == null && payloadCrcOk(f, p)) { // already decrypted by the receiver
                    plain = Arrays.copyOfRange(f, p, f.length);
                }
                if (plain == null) {
                    throw key.isPresent() ? error(Kind.WRONG_KEY, "ELL decryption failed (payload CRC mismatch)")
                            : error(Kind.NO_KEY, "ELL encrypted and no key configured");
                }
                byte[] g = Arrays.copyOf(f, p + plain.length);
                System.arraycopy(plain, 0, g, p, plain.length);
                f = g;
            } else {
                throw error(Kind.UNSUPPORTED, "ELL encryption " + enc + " not supported");
            }
            p += 2; // payload CRC
        }

        /** ELL payload CRC (EN 13757-4 §13.2.11): CRC-16 of the rest, least significant byte first. */
        private static boolean payloadCrcOk(byte[] b, int at) {
            if (at + 2 > b.length) return false;
            int crc = Crc16.of(b, at + 2, b.length);
            return ((b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8) == crc;
        }

        /** Authentication and fragmentation layer (EN 13757-7 §6, OMS Vol 2 §6.2). */
        private void afl() throws DecodeException {
            need(2, "AFL");
            int afll = f[p + 1] & 0xFF;
            need(2 + afll, "AFL");
            int end = p + 2 + afll;
            int q = p + 2;
            if (afll < 2) throw error(Kind.SYNTAX, "AFL too short");
            int fcl = (f[q] & 0xFF) | (f[q + 1] & 0xFF) << 8;
            q += 2;
            if ((fcl & 0x4000) != 0) { // MF: more fragments follow
                throw error(Kind.UNSUPPORTED, "fragmented AFL messages are not supported");
            }
            int macLen = 0;
            if ((fcl & 0x2000) != 0) { // MCLP
                if (q + 1 > end) throw error(Kind.SYNTAX, "AFL field overrun");
                aflMcl = Arrays.copyOfRange(f, q, q + 1);
                macLen = switch (f[q] & 0x0F) { // OMS Vol 2 Table 23: authentication type
                    case 0 -> 0;
                    case 3 -> 2;
                    case 4 -> 4;
                    case 5 -> 8;
                    case 6 -> 12;
                    case 7 -> 16;
                    default -> throw error(Kind.UNSUPPORTED, "AFL authentication type " + (f[q] & 0x0F) + " not supported");
                };
                q += 1;
            }
            if ((fcl & 0x0200) != 0) q += 2; // KIP: key information
            if ((fcl & 0x0800) != 0) { // MCRP
                if (q + 4 > end) throw error(Kind.SYNTAX, "AFL field overrun");
                aflMcr = Arrays.copyOfRange(f, q, q + 4);
                q += 4;
            }
            if ((fcl & 0x0400) != 0) { // MACP
                if (q + macLen > end || macLen == 0) throw error(Kind.SYNTAX, "AFL MAC field overrun");
                aflMac = Arrays.copyOfRange(f, q, q + macLen);
                q += macLen;
            }
            if ((fcl & 0x1000) != 0) { // MLP
                if (q + 2 > end) throw error(Kind.SYNTAX, "AFL field overrun");
                aflMl = Arrays.copyOfRange(f, q, q + 2);
                q += 2;
            }
            if (q > end) throw error(Kind.SYNTAX, "AFL field overrun");
            p = end;
        }

        /** Transport layer (EN 13757-7 §7): CI 72/73 long header, 7A/7B short header, 78/79 none. */
        private WmbusTelegram tpl(int ci) throws DecodeException {
            int tplStart = p;
            int idAt = 4, manAt = 2; // where the identification (LSB first) and the manufacturer are: link layer…
            int version = link.version(), type = link.deviceType();
            int access = ellAccess, status = 0, cf = 0;
            p += 1;
            if (ci == 0x72 || ci == 0x73) {
                need(8, "TPL long header");
                idAt = p; // …or the TPL long header
                manAt = p + 4;
                version = f[p + 6] & 0xFF;
                type = f[p + 7] & 0xFF;
                p += 8;
            }
            if (ci != 0x78 && ci != 0x79) {
                need(4, "TPL header");
                access = f[p] & 0xFF;
                status = f[p + 1] & 0xFF;
                cf = (f[p + 2] & 0xFF) | (f[p + 3] & 0xFF) << 8;
                p += 4;
            }
            String man = manAt == 2 ? link.manufacturer() : manufacturer((f[manAt] & 0xFF) | (f[manAt + 1] & 0xFF) << 8);
            String id = idAt == 4 ? link.id() : id(f, idAt);
            tplMan = man;
            tplId = id;
            int mode = cf >> 8 & 0x1F; // EN 13757-7 §7.5.8: configuration field, security mode bits 8-12
            int blocks = cf >> 4 & 0x0F;
            byte[] apdu;
            int from;
            if (aflMac != null && mode != 7) {
                throw error(Kind.UNSUPPORTED, "AFL MAC with security mode " + mode + " not supported");
            }
            switch (mode) {
                case 0 -> {
                    apdu = f;
                    from = p;
                }
                case 5 -> { // EN 13757-7 §9.4.5 / OMS Vol 2 §9.4.4: AES-CBC, IV = M A(ID, ver, type) ACC×8
                    security = 5;
                    Optional<byte[]> configured = lookupKey(man, id);
                    if (configured.isEmpty() && alreadyDecrypted()) {
                        apdu = f;
                        from = p;
                        break;
                    }
                    byte[] key = key(configured);
                    byte[] iv = new byte[16];
                    System.arraycopy(f, manAt, iv, 0, 2);
                    System.arraycopy(f, idAt, iv, 2, 4);
                    iv[6] = (byte) version;
                    iv[7] = (byte) type;
                    Arrays.fill(iv, 8, 16, (byte) access);
                    try {
                        apdu = decrypt(key, iv, blocks, true);
                    } catch (DecodeException e) {
                        if (e.kind() == Kind.WRONG_KEY && alreadyDecrypted()) throw plaintextCopy(mode);
                        throw e;
                    }
                    from = 0;
                }
                case 7 -> { // OMS Vol 2 §9.4.6 / CEN/TR 17167: CMAC-derived keys, MAC in the AFL, AES-CBC IV 0
                    security = 7;
                    need(1, "configuration field extension");
                    p += 1;
                    Optional<byte[]> configured = lookupKey(man, id);
                    if (configured.isEmpty() && alreadyDecrypted()) { // logged by a receiver that had the key
                        apdu = f;
                        from = p;
                        break;
                    }
                    if (aflMac == null || aflMcr == null) {
                        if (configured.isPresent() && alreadyDecrypted()) throw plaintextCopy(mode);
                        throw new DecodeException(Kind.UNSUPPORTED, "security mode 7 without AFL MAC", device(), null);
                    }
                    byte[] master = key(configured);
                    byte[] meterIdLe = Arrays.copyOfRange(f, idAt, idAt + 4);
                    byte[] kEnc = crypt(() -> WmbusCrypto.deriveKey(master, 0x00, aflMcr, meterIdLe));
                    byte[] kMac = crypt(() -> WmbusCrypto.deriveKey(master, 0x01, aflMcr, meterIdLe));
                    int mlLen = aflMl == null ? 0 : 2;
                    byte[] macInput = new byte[1 + 4 + mlLen + f.length - tplStart];
                    macInput[0] = aflMcl == null ? 0 : aflMcl[0];
                    System.arraycopy(aflMcr, 0, macInput, 1, 4);
                    if (aflMl != null) System.arraycopy(aflMl, 0, macInput, 5, 2);
                    System.arraycopy(f, tplStart, macInput, 5 + mlLen, f.length - tplStart);
                    byte[] mac = crypt(() -> AesCmac.mac(kMac, macInput));
                    if (!MessageDigest.isEqual(Arrays.copyOf(mac, aflMac.length), aflMac)) {
                        if (alreadyDecrypted()) throw plaintextCopy(mode);
                        throw new DecodeException(Kind.AUTHENTICATION, "AFL MAC mismatch (wrong key or altered telegram)", device(), null);
                    }
                    apdu = decrypt(kEnc, new byte[16], blocks, false);
                    from = 0;
                }
                default -> throw new DecodeException(Kind.UNSUPPORTED, "security mode " + mode + " not supported", device(), null);
            }
            // a cut-short ciphertext ends in a record cut off: the records before it stand, the rest is undecoded
            String model = formats == null ? null : FormatCache.model(man, version, type); // no string per telegram without a cache
            ApplicationLayer.DataRecords t;
            boolean compact = ci == 0x79 || ci == 0x7B || ci == 0x73;
            DriverFile driver = drivers.match(man, version, type, ci);
            try {
                if (compact) { // OMS Vol 2: compact frame, after the 2F 2F of a decrypted one
                    if (mode != 0 && from + 2 <= apdu.length && apdu[from] == 0x2F && apdu[from + 1] == 0x2F) from += 2;
                    t = ApduDecoder.compact(apdu, from, apdu.length, formats, model);
                } else if (driver != null && driver.proprietaryPayload()) { // the manufacturer's layout: no generic records
                    t = new ApplicationLayer.DataRecords(List.of(), false, HEX.formatHex(apdu, from, apdu.length), null);
                } else {
                    t = cutShort ? ApduDecoder.cutShort(apdu, from, apdu.length) : ApduDecoder.decode(apdu, from, apdu.length, formats, model);
                }
            } catch (DecodeException e) {
                throw new DecodeException(e.kind(), e.getMessage(), device(), e);
            }
            if (t.undecoded() != null && maybeBadB && !payloadChecked && t.undecoded().hex().length() == 4) {
                // EN 13757-4 §12.5.3: two bytes after the last record are where a format B frame has its CRC; it did not match
                throw new DecodeException(Kind.CHECKSUM, "the last 2 bytes are no record and no valid format B CRC (damaged frame or"
                        + " wrong CRC): refused, its records cannot be trusted", device(), null);
            }
            List<DriverValue> values = List.of();
            if (driver != null && !driver.descrambles()) { // a descrambler works on manufacturer CI telegrams only
                int mfrFrom = t.manufacturerData().isEmpty() ? -1 : apdu.length - t.manufacturerData().length() / 2;
                values = driver.apply(apdu, from, apdu.length, mfrFrom, t.records());
            }
            return new WmbusTelegram(link, man, id, version, type, ci, access, status, security, t.records(), t.manufacturerData(),
                    t.undecoded(), driver == null ? null : driver.name(), values);
        }

        /**
         * A capture whose receiver already decrypted it (the mode bits still say encrypted, as
         * {@code wmbusmeters --logtelegrams} writes them): decoded as plaintext only when no key is
         * configured, and only when the payload starts with the 2F2F verification bytes.
         */
        private boolean alreadyDecrypted() {
            return p + 2 <= f.length && (f[p] & 0xFF) == 0x2F && (f[p + 1] & 0xFF) == 0x2F;
        }

        /**
         * A telegram announcing encryption whose payload is already plaintext (a receiver's log)
         * while a key is configured for the meter: never accepted, a gateway with the key takes
         * only what the meter encrypted (else anyone could inject readings in clear).
         */
        private DecodeException plaintextCopy(int mode) {
            return new DecodeException(Kind.AUTHENTICATION, "security mode " + mode + " announced but the payload is already"
                    + " plaintext (2F2F) and a key is configured: an unencrypted copy is refused", device(), null);
        }

        /** The key of the metering device, else of the radio that sent the frame (looked up once per telegram). */
        private Optional<byte[]> lookupKey(String man, String id) {
            Optional<byte[]> k = keys.key(man, id);
            if (k.isEmpty() && !(man.equals(link.manufacturer()) && id.equals(link.id()))) {
                k = keys.key(link.manufacturer(), link.id());
            }
            return k;
        }

        private byte[] key(Optional<byte[]> k) throws DecodeException {
            if (k.isEmpty()) throw new DecodeException(Kind.NO_KEY, "telegram is encrypted and no key is configured", device(), null);
            return checkKey(k.get());
        }

        private byte[] checkKey(byte[] key) throws DecodeException {
            if (key.length != 16) throw error(Kind.WRONG_KEY, "configured key is not 16 bytes");
            return key;
        }

        /**
         * Decrypts {@code blocks} AES blocks at {@code p} and appends the plaintext rest; the result must
         * start with the 2F2F verification bytes (EN 13757-7 §9.4.5).
         */
        private byte[] decrypt(byte[] key, byte[] iv, int blocks, boolean meterKey) throws DecodeException {
            int encLen = 16 * blocks;
            int available = f.length - p;
            if (blocks == 0) throw new DecodeException(Kind.SYNTAX, "encrypted telegram with 0 encrypted blocks", device(), null);
            if (encLen > available) { // cut short: decrypt the whole blocks there are, the records in them stand
                cutShort = true;
                encLen = available / 16 * 16;
                if (encLen == 0) throw new DecodeException(Kind.TRUNCATED, "encrypted part shorter than one block", device(), null);
            }
            int n = encLen;
            // one array: the decrypted blocks, then the plaintext rest (EN 13757-7 §9.4.5: unencrypted data may follow)
            byte[] out = new byte[cutShort ? encLen : available];
            crypt(() -> {
                WmbusCrypto.cbcDecrypt(key, iv, f, p, n, out, 0, meterKey);
                return out;
            });
            if ((out[0] & 0xFF) != 0x2F || (out[1] & 0xFF) != 0x2F) {
                throw new DecodeException(Kind.WRONG_KEY, "decryption failed (no 2F2F verification bytes): wrong key", device(), null);
            }
            payloadChecked = true;
            if (!cutShort) System.arraycopy(f, p + encLen, out, encLen, available - encLen);
            return out;
        }

        private interface CryptoStep {
            byte[] run() throws GeneralSecurityException;
        }

        private byte[] crypt(CryptoStep step) throws DecodeException {
            try {
                return step.run();
            } catch (GeneralSecurityException e) {
                throw new DecodeException(Kind.OTHER, "AES failed: " + e.getClass().getSimpleName(), meter(), null);
            }
        }
    }
}
