package io.meterlink.drivers.wmbus;

import io.meterlink.drivers.mbus.MbusRecord;
import io.meterlink.drivers.mbus.UndecodedTail;

import java.util.List;

/**
 * One decoded wireless M-Bus telegram (EN 13757-4 link layer, EN 13757-3 / OMS Vol 2 upper layers).
 * Immutable.
 *
 * @param link             the data link layer header (the radio that sent it)
 * @param manufacturer     the metering device's manufacturer: from the TPL long header (CI 72) when
 *                         there is one (a radio converter sits between), else from the link layer
 * @param id               the metering device's identification number, 8 digits
 * @param version          the metering device's version
 * @param deviceType       the metering device's device type / medium byte (EN 13757-3 Table 3)
 * @param ci               the CI field of the transport layer (72, 7A, 78, …), or of the last layer
 *                         when there is none; 90 for an AFL fragment held until its message is complete
 * @param accessNumber     the TPL access number, else the ELL access number, else -1
 * @param status           the TPL status byte (EN 13757-3 Table 6), 0 without TPL header
 * @param securityMode     the TPL security mode (0 = none, 2, 5, 7, 10), or 0xE0 (224) for ELL AES-CTR
 * @param records          the data records in frame order (empty for manufacturer specific CIs)
 * @param manufacturerData bytes left undecoded (manufacturer specific data or CI), hex, empty when none
 * @param undecoded        the end of the records from the first one that could not be decoded (the
 *                         records before it are kept), {@code null} when every record was decoded
 * @param driver           the name of the driver file that matched the meter, or {@code null}
 * @param driverValues     the named values that driver found (in addition to the records)
 * @param message          the whole message when it was reassembled from AFL fragments (the first
 *                         fragment's header and AFL, then every fragment's share in fragment-id order:
 *                         the same bytes in whatever order the fragments came), else {@code null};
 *                         what the replay guard fingerprints instead of the last fragment's frame
 * @param counter          the message counter a MAC or tag authenticated (mode 7 AFL MCR, mode 10
 *                         counter), unsigned 32 bits, or -1 when none
 */
public record WmbusTelegram(LinkHeader link, String manufacturer, String id, int version, int deviceType, int ci,
                            int accessNumber, int status, int securityMode, List<MbusRecord> records,
                            String manufacturerData, UndecodedTail undecoded, String driver, List<DriverValue> driverValues,
                            byte[] message, long counter) {
    /** The AFL's CI field (EN 13757-7 §6): a telegram with it is a fragment held until its message is complete. */
    static final int AFL_CI = 0x90;

    /** A fragment held until its message is complete: nothing to store yet. */
    public boolean fragmentHeld() {
        return ci == AFL_CI;
    }

    public WmbusTelegram {
        records = List.copyOf(records);
        driverValues = List.copyOf(driverValues);
    }

    /** A telegram of one frame without an authenticated counter. */
    public WmbusTelegram(LinkHeader link, String manufacturer, String id, int version, int deviceType, int ci,
                         int accessNumber, int status, int securityMode, List<MbusRecord> records,
                         String manufacturerData, UndecodedTail undecoded, String driver, List<DriverValue> driverValues) {
        this(link, manufacturer, id, version, deviceType, ci, accessNumber, status, securityMode, records, manufacturerData, undecoded,
                driver, driverValues, null, -1);
    }

    /** Security mode value used for ELL AES-CTR encrypted telegrams (CI 8D/8F). */
    public static final int SECURITY_ELL_CTR = 0xE0;

    /**
     * The data link layer header (EN 13757-4 §12.5.2 and EN 13757-3 §5.4 for the address).
     *
     * @param control      the C field, e.g. 0x44 SND_NR
     * @param manufacturer three-letter manufacturer code (or 4 hex digits when not letters)
     * @param id           identification number, 8 digits as sent (BCD; hex digits kept)
     * @param version      version byte
     * @param deviceType   device type byte
     */
    public record LinkHeader(int control, String manufacturer, String id, int version, int deviceType) {}
}
