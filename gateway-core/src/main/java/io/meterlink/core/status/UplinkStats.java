package io.meterlink.core.status;

/**
 * Uplink counters for status.
 *
 * @param connected        whether a session to the broker is up
 * @param reconnects       connects after the first one since start
 * @param published        readings published and acknowledged since start
 * @param lastAckEpochMs   when the broker last acknowledged a batch (0 = never)
 * @param refused          batches the broker refused (not authorised, too large, …) since start
 * @param lastError        the last connection or publish error, without secrets ({@code null} when none)
 * @param commands         the command channel's counters (refusals: too large, busy, failed)
 */
public record UplinkStats(boolean connected, long reconnects, long published, long lastAckEpochMs, long refused, String lastError,
                          CommandStats commands) {

    /** Without command counters (all zero). */
    public UplinkStats(boolean connected, long reconnects, long published, long lastAckEpochMs, long refused, String lastError) {
        this(connected, reconnects, published, lastAckEpochMs, refused, lastError, CommandStats.NONE);
    }
}
