package io.meterlink.drivers.mbus;

import java.util.List;

/**
 * One decoded RSP_UD telegram: link-layer address and control, CI, header and records. Immutable.
 *
 * @param control            C field (RSP_UD = 08 with ACD/DFC bits)
 * @param address            primary address the answer came from
 * @param ci                 CI field (72 or 76)
 * @param header             fixed data header
 * @param records            data records in frame order (idle fillers left out)
 * @param moreRecordsFollow  DIF 1F was present: the meter has another telegram (EN 13757-3 §6.3.2)
 * @param manufacturerData   bytes after DIF 0F/1F, hex, empty when none
 * @param undecoded          the end of the telegram from the first record that could not be
 *                           decoded (the records before it are kept), {@code null} when none
 */
public record MbusTelegram(int control, int address, int ci, MbusHeader header, List<MbusRecord> records,
                           boolean moreRecordsFollow, String manufacturerData, UndecodedTail undecoded) {
    public MbusTelegram {
        records = List.copyOf(records);
    }
}
