package io.meterlink.archfixture.drivers.bad;

import io.meterlink.archfixture.core.api.Contract;
import io.meterlink.archfixture.core.runtime.Runtime;

/** Breaks "drivers depend on the core only through core.api" (the api use alone is fine). */
public final class BadDriver implements Contract {
    public void start(Runtime runtime) {
        runtime.started();
    }
}
