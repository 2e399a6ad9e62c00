package io.meterlink.sim.electricity;

import java.time.Instant;
import java.util.List;

/** A virtual meter that pushes on its own (P1 port, SML info interface): each call is its next frame, recorded in its ledger. */
public interface PushMeter {
    byte[] next(Instant now);

    List<ElectricityLedgerEntry> ledger();
}
