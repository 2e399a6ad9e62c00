package io.meterlink.drivers.mbus;

/**
 * The transport-layer header of an M-Bus application telegram (EN 13757-7 §7 / EN 13757-3 §5,
 * OMS Vol 2 §7.2): none (CI 78), short (CI 7A: access number, status, configuration) or long (CI
 * 72/76: identification, manufacturer, version, medium, then the short header). Immutable.
 *
 * @param ci            CI field
 * @param type          which header the CI announces
 * @param id            identification number, 8 BCD digits as sent; {@code null} without a long header
 * @param manufacturer  FLAG three-letter code (or 4 hex digits); {@code null} without a long header
 * @param version       version byte; -1 without a long header
 * @param medium        device type / medium byte (EN 13757-3 Table 3); -1 without a long header
 * @param accessNumber  access number; -1 without header
 * @param status        status byte (EN 13757-3 Table 6 / OMS: bits 0-1 application state, 2 power low,
 *                      3 permanent error, 4 temporary error, 5-7 manufacturer); -1 without header
 * @param configuration configuration (signature) word, LSB first; 0 without header
 * @param length        bytes from the CI field (included) to the first data record
 */
public record TplHeader(int ci, Type type, String id, String manufacturer, int version, int medium,
                        int accessNumber, int status, int configuration, int length) {
    /** Header kinds. */
    public enum Type { NONE, SHORT, LONG }

    /** Security mode from the configuration field, bits 8-12 (OMS Vol 2 §7.2.4): 0 none, 5 AES-CBC, 7 AES-CBC with KDF. */
    public int securityMode() { return configuration >> 8 & 0x1F; }

    /** True when the data after the header is encrypted. */
    public boolean encrypted() { return type != Type.NONE && securityMode() != 0; }
}
