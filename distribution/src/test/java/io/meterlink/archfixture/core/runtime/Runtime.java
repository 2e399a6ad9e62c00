package io.meterlink.archfixture.core.runtime;

import io.meterlink.archfixture.core.buffer.Buffer;

/** Half of a package cycle with the fixture's buffer. */
public final class Runtime {
    public Buffer buffer() {
        return null;
    }

    public void started() {
    }
}
