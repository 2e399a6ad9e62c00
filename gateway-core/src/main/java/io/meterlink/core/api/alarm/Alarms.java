package io.meterlink.core.api.alarm;

/**
 * Where a part of the gateway raises and clears its alarms (the running gateway's status). Raising
 * an active alarm again, or clearing one that is not raised, changes nothing. Implementations are
 * thread-safe.
 */
public interface Alarms {
    void raise(Alarm alarm);

    void clear(Alarm alarm);
}
