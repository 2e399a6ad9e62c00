package io.meterlink.sim.mbus;

import io.meterlink.core.api.Reading;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Compares what a gateway received with what virtual slaves generated. */
final class LedgerCheck {
    private LedgerCheck() {}

    /** Everything but the receive time: meter, quantity, unit, exact value, function, storage, tariff, subunit, meter time, status. */
    static String key(Reading r) {
        return r.meter() + "|" + r.quantity() + "|" + r.unit() + "|" + r.value().stripTrailingZeros().toPlainString() + "|"
                + r.function() + "|" + r.storage() + "|" + r.tariff() + "|" + r.subunit() + "|" + r.meterTime() + "|" + r.status();
    }

    /**
     * Every received reading was generated, exactly (no reading invented or altered), and every
     * generated reading was received except those of each slave's last readout, which the driver
     * may not have finished when it was stopped.
     */
    static void assertReceivedMatchesLedger(List<Reading> received, VirtualMbusBus bus) {
        Set<String> got = new HashSet<>();
        for (Reading r : received) got.add(key(r));
        Set<String> generated = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (VirtualMbusSlave s : bus.slaves()) {
            List<LedgerEntry> ledger = s.ledger();
            long lastGeneration = ledger.isEmpty() ? -1 : ledger.get(ledger.size() - 1).generatedAt().toEpochMilli();
            for (LedgerEntry e : ledger) {
                for (Reading r : e.readings()) {
                    generated.add(key(r));
                    if (!got.contains(key(r)) && e.generatedAt().toEpochMilli() != lastGeneration) missing.add(key(r));
                }
            }
        }
        List<String> invented = got.stream().filter(k -> !generated.contains(k)).sorted().toList();
        assertEquals(List.of(), invented, "readings received that no slave generated");
        assertEquals(List.of(), missing, "generated readings never received");
    }

    /** Every received reading was generated exactly (nothing invented or altered). */
    static void assertNothingInvented(List<Reading> received, VirtualMbusBus bus) {
        Set<String> generated = new HashSet<>();
        for (LedgerEntry e : bus.ledger()) for (Reading r : e.readings()) generated.add(key(r));
        assertEquals(List.of(), received.stream().map(LedgerCheck::key).filter(k -> !generated.contains(k)).distinct().toList());
    }
}
