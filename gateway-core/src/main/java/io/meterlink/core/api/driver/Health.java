package io.meterlink.core.api.driver;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.alarm.Alarm;

/** What drivers report about meters and lines; shown in status. Thread-safe. */
public interface Health {
    /** A frame from this meter was decoded. */
    void meterHeard(MeterId meter, Integer rssiDbm);

    /** A polled meter did not answer (after retries). {@code address} is the driver's own address text. */
    void meterSilent(String source, String address);

    /** A frame or line input was refused; counted per kind. */
    void badInput(String source, DecodeException.Kind kind);

    /**
     * Decoded records kept without a reading (an identifier, a text, a code with no canonical
     * quantity); counted per kind ({@code identifier}, {@code text}, {@code unknown_code}).
     */
    default void recordsWithoutReading(String source, String kind, int count) { }

    /** A transport failed and is being reopened. */
    void transportError(String source, String message);

    /** A condition of a meter or input that needs a person (e.g. a counter that went backwards): shown in status until cleared; a no-op when already raised. */
    default void raiseAlarm(Alarm alarm) { }

    /** Clears an alarm raised with {@link #raiseAlarm}; a no-op when it is not raised. */
    default void clearAlarm(Alarm alarm) { }
}
