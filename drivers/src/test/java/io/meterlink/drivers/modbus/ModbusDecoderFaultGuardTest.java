package io.meterlink.drivers.modbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.testing.BrokenSink;
import io.meterlink.drivers.testing.FeedLine;
import io.meterlink.drivers.testing.Recording;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Modbus meter whose register image makes the profile decoder fail (a decoder bug on hostile
 * registers): the poll is a counted {@code other} bad input, the meter is still heard, the next poll
 * is read; a failure to hand the readings on is not taken for bad input.
 */
class ModbusDecoderFaultGuardTest {
    static final int HOSTILE = 0xDEAD;

    /** A line whose slave answers every block with {@code word}, or the hostile word on the first read. */
    private static final class Slave extends ModbusLink {
        final AtomicInteger reads = new AtomicInteger();
        final FeedLine line = new FeedLine();
        volatile boolean hostileFirst = true;

        @Override io.meterlink.drivers.transport.Transport transport() { return line; }

        @Override int[] read(int unit, ReadBlock block) {
            int[] words = new int[block.count()];
            Arrays.fill(words, hostileFirst && reads.get() == 0 ? HOSTILE : 0x4366); // 0x4366 0x4366: a float of about 230
            reads.incrementAndGet();
            return words;
        }
    }

    private static ModbusDriverConfig config() {
        MeterProfile p = ProfileCatalog.shipped().find("eastron-sdm630");
        return new ModbusDriverConfig("test", "rtu", 9600, 0, 1, Duration.ofHours(1), 100, 0,
                List.of(new ModbusDriverConfig.Meter(1, p, MeterId.of("modbus:sdm630:1"))));
    }

    /** The profile's decoder, but failing on the hostile word like a decoder with a bug would. */
    private static final ModbusDriver.Records FAULTY = (m, image, refused) -> {
        ReadBlock first = m.blocks().get(0);
        if (image.get(first.function(), first.start(), 1)[0] == HOSTILE) throw new ArithmeticException("hostile register");
        return m.profile().records(image, refused);
    };

    @Test
    void aDecoderFaultOnHostileRegisters_isCountedOther_theNextPollIsRead() throws Exception {
        Slave slave = new Slave();
        Recording rec = new Recording(Clock.systemUTC());
        ModbusDriver d = new ModbusDriver(config(), slave, rec, FAULTY);
        ModbusDriverConfig.Meter m = config().meters().get(0);
        assertEquals(List.of(), d.read(m), "the hostile image gives no reading");
        assertEquals(List.of(Kind.OTHER), rec.bad);
        assertEquals(List.of(MeterId.of("modbus:sdm630:1")), rec.heard, "the meter answered");
        assertFalse(d.read(m).isEmpty(), "the next poll is read");
        assertFalse(rec.readings.isEmpty());
        assertEquals(List.of(Kind.OTHER), rec.bad, "counted once");
        assertTrue(rec.transportErrors.isEmpty(), rec::toString);
    }

    @Test
    void aDeliveryFault_isNotBadInput_itPropagates() {
        Slave slave = new Slave();
        slave.hostileFirst = false;
        Recording rec = new Recording(Clock.systemUTC());
        ModbusDriver d = new ModbusDriver(config(), slave, new BrokenSink(rec), FAULTY);
        assertThrows(IllegalStateException.class, () -> d.read(config().meters().get(0)));
        assertTrue(rec.bad.isEmpty(), rec::toString);
    }
}
