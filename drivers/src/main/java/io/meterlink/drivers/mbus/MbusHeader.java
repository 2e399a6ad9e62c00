package io.meterlink.drivers.mbus;

/**
 * The header of a wired RSP_UD telegram (EN 13757-3 §5.4). Immutable.
 *
 * @param id           identification number, 8 BCD digits as sent (may hold hex digits for wildcards);
 *                     {@code null} when the telegram has no long header (CI 7A/78)
 * @param manufacturer FLAG three-letter code (or 4 hex digits); {@code null} without long header
 * @param version      version / generation byte; -1 without long header
 * @param medium       device type / medium byte (EN 13757-3 Table 3), see {@link MbusMedium}; -1 without long header
 * @param accessNumber access number; -1 without header
 * @param status       status byte (EN 13757-3 Table 6; 0 = no error); -1 without header
 * @param signature    signature / configuration word (0 when not encrypted)
 */
public record MbusHeader(String id, String manufacturer, int version, int medium, int accessNumber, int status, int signature) {}
