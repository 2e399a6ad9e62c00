package io.meterlink.drivers.mbus;

/**
 * The fixed header of a variable data structure response (EN 13757-3 §5.4, CI 72/76). Immutable.
 *
 * @param id           identification number, 8 BCD digits as sent (may hold hex digits for wildcards)
 * @param manufacturer FLAG three-letter code (or 4 hex digits when the code is not letters)
 * @param version      version / generation byte
 * @param medium       device type / medium byte (EN 13757-3 Table 3), see {@link MbusMedium}
 * @param accessNumber access number
 * @param status       status byte (EN 13757-3 Table 6; 0 = no error)
 * @param signature    signature word (0 when not encrypted)
 */
public record MbusHeader(String id, String manufacturer, int version, int medium, int accessNumber, int status, int signature) {}
