package io.meterlink.drivers.iec62056;

import java.time.Duration;
import java.util.List;

/**
 * A validated {@code iec62056-21} source that polls (modes A, B, C). Immutable.
 *
 * @param endpoint        transport description for logs
 * @param tcp             a TCP line: no baud switch (the converter keeps its rate)
 * @param initialBaud     speed of the sign-on (300 per IEC 62056-21 §6.4)
 * @param maxBaud         highest speed accepted in a mode B/C switch
 * @param pollInterval    time from the start of one cycle over every meter to the next
 * @param responseTimeout longest wait for the first byte of an answer and between bytes (t_r, t_a max 1500 ms)
 * @param wakeUp          send the NUL wake-up sequence before each sign-on (battery meters, §6.4.5)
 * @param retries         sign-ons retried after silence or a refused readout
 * @param addresses       device addresses for {@code /?<address>!}; one empty address for a single meter
 * @param password        the meter password sent in programming mode (P1), or {@code null} for a plain data readout; never logged
 * @param registers       with a password: the registers read one by one in programming mode (R1)
 * @param strictTiming    an identification that begins sooner than t_r (200 ms) after the request is refused and counted
 * @param readoutDeadline the shortest overall deadline of a data message or programming mode answer ({@link Iec62056Driver#readoutBudgetNanos})
 * @param modeE           {@code mode: e}: the HDLC/DLMS session's settings, or {@code null} to read mode E meters by their data readout
 */
record Iec62056DriverConfig(String endpoint, boolean tcp, int initialBaud, int maxBaud, Duration pollInterval,
                            int responseTimeout, boolean wakeUp, int retries, List<String> addresses,
                            io.meterlink.core.api.config.Secret password, List<String> registers, boolean strictTiming,
                            Duration readoutDeadline, ModeE modeE) {
    Iec62056DriverConfig {
        addresses = List.copyOf(addresses);
        registers = List.copyOf(registers);
    }

    /**
     * The HDLC/DLMS session of mode E (IEC 62056-21 Annex E, IEC 62056-46, IEC 62056-5-3).
     *
     * @param objects the COSEM objects read, in order
     * @param server  the meter's HDLC address (logical device, physical device)
     * @param client  the client SAP (0x10 public client)
     * @param maxInfo the information field length proposed in SNRM
     */
    record ModeE(List<io.meterlink.drivers.iec62056.dlms.CosemObject> objects, io.meterlink.drivers.iec62056.hdlc.HdlcAddress server,
                 io.meterlink.drivers.iec62056.hdlc.HdlcAddress client, int maxInfo) {
        ModeE {
            objects = List.copyOf(objects);
        }
    }
}
