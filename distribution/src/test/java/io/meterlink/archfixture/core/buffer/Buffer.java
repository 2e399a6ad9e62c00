package io.meterlink.archfixture.core.buffer;

import io.meterlink.archfixture.core.runtime.Runtime;
import io.meterlink.archfixture.core.uplink.Uplink;

/** Breaks "the buffer never depends on the uplink", and closes a cycle buffer → runtime → buffer. */
public final class Buffer {
    public void commit(Uplink uplink, Runtime runtime) {
        uplink.wake();
        runtime.started();
    }
}
