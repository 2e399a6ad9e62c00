package io.meterlink.sim.wmbus;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The simulator's own wireless M-Bus frame encoder (a meter's side): link layer (EN 13757-4 §12),
 * an optional short extended link layer (CI 8C), an optional authentication and fragmentation layer
 * (CI 90, for mode 7), the short transport header (CI 7A) and the data records, in clear or encrypted
 * with security mode 5, 7 or 10 (AES-CCM). {@link #build()} gives the frame without CRCs (as dongles hand it over);
 * {@link RadioCrc#formatA} adds the format A CRCs it has on air. Not thread-safe; one builder per frame.
 */
public final class WmbusFrameBuilder {
    /** TPL security of a telegram (EN 13757-7 §7.5.8, OMS Vol 2 §9.4). */
    public enum Security { NONE, MODE5, MODE7, MODE10 }

    /** SND_NR: a meter's spontaneous telegram (EN 13757-4 §12.5.2). */
    public static final int C_SND_NR = 0x44;

    private final byte[] link = new byte[10];
    private final byte[] idLe = new byte[4];
    private Integer ellCc;
    private int access;
    private int status;
    private int cfFlags;
    private Security security = Security.NONE;
    private byte[] key;
    private int mcl;
    private long mcr;
    private int cfe;
    private int tagLength;
    private byte[] records = new byte[0];

    /**
     * @param manufacturer three letters A–Z (FLAG code)
     * @param id           8 decimal digits
     * @param deviceType   medium / device type (EN 13757-7 Table 12), e.g. 07 water, 04 heat
     */
    public WmbusFrameBuilder(int c, String manufacturer, String id, int version, int deviceType) {
        if (!manufacturer.matches("[A-Z]{3}")) throw new IllegalArgumentException("manufacturer must be 3 letters A-Z");
        if (!id.matches("\\d{8}")) throw new IllegalArgumentException("id must be 8 digits");
        int m = (manufacturer.charAt(0) - 64) << 10 | (manufacturer.charAt(1) - 64) << 5 | (manufacturer.charAt(2) - 64); // EN 13757-3 §5.4
        for (int i = 0; i < 4; i++) { // identification number: 8 BCD digits, least significant byte first
            int two = Integer.parseInt(id.substring(6 - 2 * i, 8 - 2 * i));
            idLe[i] = (byte) ((two / 10) << 4 | two % 10);
        }
        link[1] = (byte) c;
        link[2] = (byte) m;
        link[3] = (byte) (m >> 8);
        System.arraycopy(idLe, 0, link, 4, 4);
        link[8] = (byte) version;
        link[9] = (byte) deviceType;
    }

    /** Adds an ELL I (CI 8C: communication control, access number; EN 13757-4 §13.2.2) in front of the TPL. */
    public WmbusFrameBuilder ell(int communicationControl) {
        this.ellCc = communicationControl;
        return this;
    }

    /** The short transport header (CI 7A, EN 13757-7 §7.4): access number and status byte. */
    public WmbusFrameBuilder tpl(int accessNumber, int statusByte) {
        this.access = accessNumber & 0xFF;
        this.status = statusByte & 0xFF;
        return this;
    }

    /** Further configuration field bits besides mode and block count (e.g. 0x2000 synchronous, 0x8000 bidirectional). */
    public WmbusFrameBuilder configurationFlags(int flags) {
        this.cfFlags = flags & ~0x1FF0;
        return this;
    }

    /** Security mode 5: AES-128-CBC, IV = M ‖ A ‖ access number × 8 (EN 13757-7 §9.4.5, OMS Vol 2 §9.4.4). */
    public WmbusFrameBuilder mode5(byte[] aesKey) {
        this.security = Security.MODE5;
        this.key = aesKey.clone();
        return this;
    }

    /**
     * Security mode 7 (OMS Vol 2 §9.4.6): keys derived from {@code masterKey} by CMAC with the
     * message counter, AES-128-CBC with IV 0, an AFL carrying the counter and the truncated CMAC.
     *
     * @param mcl message control (low nibble: authentication type, 5 = 8-byte CMAC)
     * @param mcr message counter (4 bytes)
     * @param cfe configuration field extension (0x10: KDF A)
     */
    public WmbusFrameBuilder mode7(byte[] masterKey, int mcl, long mcr, int cfe) {
        this.security = Security.MODE7;
        this.key = masterKey.clone();
        this.mcl = mcl & 0xFF;
        this.mcr = mcr & 0xFFFFFFFFL;
        this.cfe = cfe & 0xFF;
        return this;
    }

    /**
     * Security mode 10 (OMS Vol 2 security profile D): the encryption key derived as in mode 7 from
     * {@code masterKey} and the message counter, AES-CCM over the records with the TPL header through
     * the configuration field extension as associated data, nonce M ‖ A ‖ version ‖ type ‖ 00 ‖ counter
     * (most significant byte first), the tag at the end.
     *
     * @param tagLength 4, 8, 12 or 16
     */
    public WmbusFrameBuilder mode10(byte[] masterKey, long counter, int tagLength) {
        if (tagLength < 4 || tagLength > 16 || tagLength % 4 != 0) throw new IllegalArgumentException("tag length 4, 8, 12 or 16");
        this.security = Security.MODE10;
        this.key = masterKey.clone();
        this.mcr = counter & 0xFFFFFFFFL;
        this.tagLength = tagLength;
        return this;
    }

    /** The data records (EN 13757-3 §6), without the 2F2F verification bytes. */
    public WmbusFrameBuilder records(byte[] apl) {
        this.records = apl.clone();
        return this;
    }

    /** The frame without CRCs, its L field counting the bytes after it. */
    public byte[] build() {
        try {
            return assemble();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES not available", e);
        }
    }

    private byte[] assemble() throws GeneralSecurityException {
        ByteArrayOutputStream tpl = new ByteArrayOutputStream();
        byte[] body;
        int blocks = 0;
        if (security == Security.NONE || security == Security.MODE10) {
            body = records; // mode 10: sealed below, with the header as associated data
        } else {
            byte[] plain = padded(records);
            blocks = plain.length / 16;
            if (blocks > 15) throw new IllegalArgumentException("at most 15 encrypted blocks");
            body = cbc(security == Security.MODE5 ? key : derived(0x00), security == Security.MODE5 ? mode5Iv() : new byte[16], plain);
        }
        int mode = switch (security) {
            case NONE -> 0;
            case MODE5 -> 5;
            case MODE7 -> 7;
            case MODE10 -> 10;
        };
        int cf = cfFlags | mode << 8 | blocks << 4; // EN 13757-7 §7.5.8: mode bits 8-12, encrypted blocks bits 4-7
        if (security == Security.MODE10) cf = cfFlags | mode << 8 | 0xFF; // mode 10: the low byte counts encrypted bytes, FF = all
        tpl.write(0x7A);
        tpl.write(access);
        tpl.write(status);
        tpl.write(cf);
        tpl.write(cf >> 8);
        if (security == Security.MODE7) tpl.write(cfe);
        if (security == Security.MODE10) {
            int ext = (tagLength - 4) / 4 << 8 | 0x10; // configuration field extension: tag length, key derivation 1
            tpl.write(ext);
            tpl.write(ext >> 8);
            byte[] aad = tpl.toByteArray();
            byte[] counter = new byte[4];
            putLe(counter, 0, mcr);
            tpl.writeBytes(counter);
            byte[] nonce = new byte[13];
            System.arraycopy(link, 2, nonce, 0, 8); // M(2), ID(4), version, device type
            for (int i = 0; i < 4; i++) nonce[9 + i] = counter[3 - i];
            body = ccmSeal(derived(0x00), nonce, aad, records, tagLength);
        }
        tpl.writeBytes(body);
        byte[] tplBytes = tpl.toByteArray();

        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(link);
        if (ellCc != null) {
            f.write(0x8C);
            f.write(ellCc);
            f.write(access);
        }
        if (security == Security.MODE7) f.writeBytes(afl(tplBytes));
        f.writeBytes(tplBytes);
        byte[] out = f.toByteArray();
        if (out.length > 256) throw new IllegalArgumentException("frame longer than 255 bytes after L");
        out[0] = (byte) (out.length - 1);
        return out;
    }

    /** 2F2F, the records, then 2F fill up to whole AES blocks (EN 13757-7 §9.4.5). */
    private static byte[] padded(byte[] records) {
        int n = 2 + records.length;
        byte[] p = new byte[(n + 15) / 16 * 16];
        Arrays.fill(p, (byte) 0x2F);
        System.arraycopy(records, 0, p, 2, records.length);
        return p;
    }

    private byte[] mode5Iv() {
        byte[] iv = new byte[16];
        System.arraycopy(link, 2, iv, 0, 8); // M(2), ID(4), version, device type
        Arrays.fill(iv, 8, 16, (byte) access);
        return iv;
    }

    /** OMS Vol 2 §9.6.1: CMAC(master, D ‖ MCR ‖ ID ‖ 07×7); D = 00 encryption key, 01 MAC key. */
    private byte[] derived(int d) throws GeneralSecurityException {
        byte[] in = new byte[16];
        in[0] = (byte) d;
        putLe(in, 1, mcr);
        System.arraycopy(idLe, 0, in, 5, 4);
        Arrays.fill(in, 9, 16, (byte) 0x07);
        return Cmac.of(key, in);
    }

    /** EN 13757-7 §6 / OMS Vol 2 §6.2: AFL with MCL, MCR and the MAC over MCL ‖ MCR ‖ the TPL onwards. */
    private byte[] afl(byte[] tplBytes) throws GeneralSecurityException {
        int macLen = switch (mcl & 0x0F) { // OMS Vol 2 Table 23
            case 3 -> 2;
            case 4 -> 4;
            case 5 -> 8;
            case 6 -> 12;
            case 7 -> 16;
            default -> throw new IllegalArgumentException("authentication type " + (mcl & 0x0F) + " carries no MAC");
        };
        byte[] macIn = new byte[5 + tplBytes.length];
        macIn[0] = (byte) mcl;
        putLe(macIn, 1, mcr);
        System.arraycopy(tplBytes, 0, macIn, 5, tplBytes.length);
        byte[] mac = Cmac.of(derived(0x01), macIn);
        int fcl = 0x2000 | 0x0800 | 0x0400; // MCL, MCR and MAC present; one fragment
        byte[] a = new byte[2 + 2 + 1 + 4 + macLen];
        a[0] = (byte) 0x90;
        a[1] = (byte) (a.length - 2);
        a[2] = (byte) fcl;
        a[3] = (byte) (fcl >> 8);
        a[4] = (byte) mcl;
        putLe(a, 5, mcr);
        System.arraycopy(mac, 0, a, 9, macLen);
        return a;
    }

    /** AES-CCM sealing (RFC 3610, L = 2): the records encrypted in counter mode, then the encrypted CBC-MAC tag. */
    private static byte[] ccmSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plain, int tagLength) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        ByteArrayOutputStream macInput = new ByteArrayOutputStream();
        macInput.write(0x40 | (tagLength - 2) / 2 << 3 | 0x01); // B0 flags: associated data, tag length, L - 1
        macInput.writeBytes(nonce);
        macInput.write(plain.length >> 8);
        macInput.write(plain.length);
        macInput.write(aad.length >> 8);
        macInput.write(aad.length);
        macInput.writeBytes(aad);
        while (macInput.size() % 16 != 0) macInput.write(0);
        macInput.writeBytes(plain);
        while (macInput.size() % 16 != 0) macInput.write(0);
        byte[] cbcMac = cbc(key, new byte[16], macInput.toByteArray());
        byte[] out = new byte[plain.length + tagLength];
        byte[] ctr = new byte[16];
        ctr[0] = 0x01;
        System.arraycopy(nonce, 0, ctr, 1, 13);
        for (int i = 0; i * 16 < plain.length; i++) {
            ctr[14] = (byte) ((i + 1) >> 8);
            ctr[15] = (byte) (i + 1);
            byte[] s = aes.doFinal(ctr);
            for (int j = 0; j < 16 && i * 16 + j < plain.length; j++) out[i * 16 + j] = (byte) (plain[i * 16 + j] ^ s[j]);
        }
        ctr[14] = 0;
        ctr[15] = 0;
        byte[] s0 = aes.doFinal(ctr);
        for (int j = 0; j < tagLength; j++) out[plain.length + j] = (byte) (cbcMac[cbcMac.length - 16 + j] ^ s0[j]);
        return out;
    }

    private static byte[] cbc(byte[] key, byte[] iv, byte[] plain) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return c.doFinal(plain);
    }

    private static void putLe(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >> (8 * i));
    }
}
