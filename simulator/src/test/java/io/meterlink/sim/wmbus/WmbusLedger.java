package io.meterlink.sim.wmbus;

import io.meterlink.core.api.Reading;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Compares what a gateway received with what virtual wireless meters generated. */
final class WmbusLedger {
    private WmbusLedger() {}

    /** Everything but the receive time: meter, quantity, unit, exact value, function, storage, tariff, subunit, meter time, status, RSSI. */
    static String key(Reading r) {
        return r.meter() + "|" + r.quantity() + "|" + r.unit() + "|" + r.value().stripTrailingZeros().toPlainString() + "|"
                + r.function() + "|" + r.storage() + "|" + r.tariff() + "|" + r.subunit() + "|" + r.meterTime() + "|" + r.status()
                + "|rssi=" + r.rssiDbm();
    }

    static List<String> keys(Collection<Reading> readings) {
        List<String> out = new ArrayList<>();
        for (Reading r : readings) out.add(key(r));
        out.sort(null);
        return out;
    }

    /** The ledger readings of the meters, sorted keys. */
    static List<String> generated(Collection<VirtualWmbusMeter> meters) {
        List<Reading> all = new ArrayList<>();
        for (VirtualWmbusMeter m : meters) for (WmbusLedgerEntry e : m.ledger()) all.addAll(e.readings());
        return keys(all);
    }
}
