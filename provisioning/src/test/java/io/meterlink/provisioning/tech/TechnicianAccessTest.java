package io.meterlink.provisioning.tech;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TechnicianAccessTest {
    @TempDir Path state;

    private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out");
            Thread.sleep(50);
        }
    }

    @Test void closedAtStart_opensOnTheLocalTrigger_thenOnTheButtonAfterClosing() throws Exception {
        int uid = (Integer) Files.getAttribute(Files.createFile(state.resolve("probe")), "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Context pi4j = Pi4J.newContextBuilder().add(MockDigitalInputProvider.newInstance()).build();
        try (TechnicianAccess access = TechnicianAccess.start(TechFixtures.config(), TechFixtures.PSK,
                TechServices.builder().build(), state, uid, Clock.systemUTC()).withButton(pi4j, 22, true)) {
            assertFalse(access.endpoint().isOpen());
            new LocalOpenSignal(state, uid, Clock.systemUTC()).request();
            await(access.endpoint()::isOpen);
            access.endpoint().closeWindow();
            MockDigitalInput input = (MockDigitalInput) pi4j.io("meterlink-service-button", DigitalInput.class);
            input.mockState(DigitalState.HIGH);
            input.mockState(DigitalState.LOW);
            await(access.endpoint()::isOpen);
            assertTrue(access.endpoint().address().isPresent());
        } finally {
            pi4j.shutdown();
        }
    }
}
