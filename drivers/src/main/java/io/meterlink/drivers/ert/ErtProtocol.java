package io.meterlink.drivers.ert;

import java.util.Locale;

/**
 * The 900 MHz utility-radio packet types, with their framing as the public descriptions give it
 * (rtlamr's protocol notes): a Manchester-coded preamble, then a fixed number of bits. R900 and
 * R900BCD, and IDM and NetIDM, share their framing and differ only in how the payload is read.
 */
public enum ErtProtocol {
    /** Standard Consumption Message: 21-bit preamble, 96 bits in all, BCH(0x6F63) checksum. */
    SCM("scm", "SCM", "111110010101001100000", 96),
    /** SCM+: 16-bit frame sync 0x16A3, 16 bytes, CRC-16 (CCITT, complemented). */
    SCM_PLUS("scm+", "SCM+", "0001011010100011", 128),
    /** Interval Data Message: 0x555516A3, 92 bytes, CRC-16 (CCITT), 47 9-bit interval differentials. */
    IDM("idm", "IDM", "01010101010101010001011010100011", 736),
    /** Net-metering IDM: the IDM framing, 27 14-bit interval differentials. */
    NETIDM("netidm", "NetIDM", "01010101010101010001011010100011", 736),
    /** Neptune R900: 32-bit preamble, then 21 GF(32) symbols (16 data, 5 Reed-Solomon parity) in 4-chip digits. */
    R900("r900", "R900", "00000000000000001110010101100100", 116),
    /** R900 whose consumption digits are BCD. */
    R900BCD("r900bcd", "R900BCD", "00000000000000001110010101100100", 116);

    private final String wireName;
    private final String rtlamrName;
    private final String preamble;
    private final int packetBits;

    ErtProtocol(String wireName, String rtlamrName, String preamble, int packetBits) {
        this.wireName = wireName;
        this.rtlamrName = rtlamrName;
        this.preamble = preamble;
        this.packetBits = packetBits;
    }

    /** The name in output, options and configuration: {@code scm}, {@code scm+}, {@code idm}, … */
    public String wireName() { return wireName; }

    /** rtlamr's {@code Type} string ({@code SCM}, {@code SCM+}, {@code NetIDM}, …). */
    public String rtlamrName() { return rtlamrName; }

    /** The preamble bits, first sent first. */
    public String preamble() { return preamble; }

    /** Bits of a whole packet including the preamble (for R900: preamble bits plus payload chips / 2). */
    public int packetBits() { return packetBits; }

    /** By wire name or rtlamr name, case-insensitive ({@code scmplus} too). */
    public static ErtProtocol byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ErtProtocol p : values()) {
            if (p.wireName.equals(n) || p.rtlamrName.toLowerCase(Locale.ROOT).equals(n)) return p;
        }
        if (n.equals("scmplus")) return SCM_PLUS;
        throw new IllegalArgumentException("unknown ERT protocol '" + name + "' (scm, scm+, idm, netidm, r900, r900bcd)");
    }

    /** Whether the payload is R900 symbols rather than Manchester bits. */
    public boolean isR900() { return this == R900 || this == R900BCD; }
}
