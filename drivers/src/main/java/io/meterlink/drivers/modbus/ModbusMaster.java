package io.meterlink.drivers.modbus;

import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * Reads blocks from slaves over one {@link ModbusLink} with the line's retry policy: a try that got
 * no usable answer (silence, CRC error, short answer, garbage, wrong slave) is repeated up to
 * {@code retries} times; an exception response is the slave's considered answer and is not. Every
 * failed try is counted by {@link ModbusFault} and handed to {@code onFault}. One thread uses it;
 * {@link #faultCounts()} may be read from any thread.
 */
final class ModbusMaster {
    private final ModbusLink link;
    private final int retries;
    private final Consumer<ModbusFault.Failure> onFault;
    private final AtomicLongArray counts = new AtomicLongArray(ModbusFault.values().length);

    ModbusMaster(ModbusLink link, int retries, Consumer<ModbusFault.Failure> onFault) {
        this.link = link;
        this.retries = retries;
        this.onFault = onFault;
    }

    /**
     * The block's words, or the last try's failure. Throws {@link IOException} when the line broke
     * (the caller reopens it).
     */
    int[] read(int unit, ReadBlock block) throws ModbusFault.Failure, IOException {
        ModbusFault.Failure last = null;
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (Thread.currentThread().isInterrupted()) throw new java.io.InterruptedIOException("interrupted");
            try {
                return link.read(unit, block);
            } catch (ModbusFault.Failure f) {
                counts.incrementAndGet(f.fault().ordinal());
                onFault.accept(f);
                last = f;
                if (isExceptionResponse(f.fault())) break;
            }
        }
        throw last;
    }

    static boolean isExceptionResponse(ModbusFault f) {
        return f == ModbusFault.ILLEGAL_FUNCTION || f == ModbusFault.ILLEGAL_ADDRESS || f == ModbusFault.ILLEGAL_VALUE
                || f == ModbusFault.SLAVE_FAILURE || f == ModbusFault.SLAVE_BUSY;
    }

    /** Failed tries so far, by fault. */
    Map<ModbusFault, Long> faultCounts() {
        Map<ModbusFault, Long> out = new EnumMap<>(ModbusFault.class);
        for (ModbusFault f : ModbusFault.values()) out.put(f, counts.get(f.ordinal()));
        return out;
    }
}
