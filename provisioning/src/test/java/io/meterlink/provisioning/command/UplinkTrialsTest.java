package io.meterlink.provisioning.command;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.core.runtime.UplinkService;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.core.uplink.TrialListener;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.core.status.UplinkStats;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.provisioning.bundle.BundleService;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.provisioning.identity.Pem;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.provisioning.identity.TestCa;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import org.junit.jupiter.api.BeforeEach;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import org.junit.jupiter.api.Test;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import org.junit.jupiter.api.io.TempDir;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import java.nio.charset.StandardCharsets;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import java.nio.file.Path;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import java.security.SecureRandom;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import java.time.Clock;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import java.time.Duration;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import java.util.List;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import java.util.Set;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import java.util.concurrent.ConcurrentHashMap;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import java.util.concurrent.CopyOnWriteArrayList;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import static org.junit.jupiter.api.Assertions.assertFalse;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.alarm.Alarms;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A trial interrupted by a restart is finished after it: kept when the uplink connects, rolled back when not. */
class UplinkTrialsTest {
    private BundleService bundles;
    private final FakeUplink uplink = new FakeUplink();
    private final Set<Alarm> alarms = ConcurrentHashMap.newKeySet();
    private TestCa ca;

    /** Only what the trials use: connection state and the settings it is switched to. */
    private static final class FakeUplink implements UplinkService {
        volatile boolean connected;
        final List<String> switchedTo = new CopyOnWriteArrayList<>();

        @Override public void start() { }

        @Override public UplinkStats stats() { return new UplinkStats(connected, 0, 0, 0, 0, null); }

        @Override public void trial(UplinkConfig next, Duration bound, TrialListener listener) { switchedTo.add(next.url()); }

        @Override public void close() { }
    }

    @BeforeEach
    void setUp(@TempDir Path tmp) throws Exception {
        StateDir dir = new StateDir(tmp.resolve("state"));
        IdentityStore ids = new IdentityStore(dir, new SecureRandom());
        ids.init("gw-0001", false);
        ca = TestCa.create("Utility CA");
        bundles = new BundleService(dir, ids, new DriverRegistry(List.of()), Clock.systemUTC());
        bundles.apply("v1", bundle(1, "ssl://old.example:8883"), true);
        bundles.apply("v2", bundle(2, "ssl://new.example:8883"), true);
        bundles.markTrial(2);
    }

    private byte[] bundle(long version, String url) throws Exception {
        return ("bundle_version: " + version + "\ngateway_id: gw-0001\nca_certificates: |\n"
                + Pem.encode("CERTIFICATE", ca.certificate().getEncoded()).indent(2)
                + "broker:\n  url: " + url + "\n  username: gw-0001\n  password: pw\nsources: []\n").getBytes(StandardCharsets.UTF_8);
    }

    private UplinkTrials trials(Duration bound) {
        return new UplinkTrials(bundles, new DriverRegistry(List.of()), uplink, bound, new Alarms() {
            @Override public void raise(Alarm alarm) { alarms.add(alarm); }
            @Override public void clear(Alarm alarm) { alarms.remove(alarm); }
        }, Runnable::run);
    }

    private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out");
            Thread.sleep(20);
        }
    }

    @Test
    void resumedTrial_withoutAConnection_rollsBack_andSwitchesToThePreviousSettings() throws Exception {
        UplinkTrials t = trials(Duration.ofMillis(400));
        t.resume();
        assertTrue(t.pending(), "no other bundle while the trial runs");
        await(() -> !t.pending());
        assertEquals(1, bundles.installedVersion().orElseThrow());
        assertEquals(List.of("ssl://old.example:8883"), uplink.switchedTo);
        assertTrue(alarms.contains(UplinkTrials.ALARM));
        assertTrue(bundles.pendingTrial().isEmpty(), "the marker is gone");
        assertEquals(2, bundles.highestAccepted(), "the rolled-back version stays burnt");
    }

    @Test
    void resumedTrial_withAConnection_keepsTheNewSettings() throws Exception {
        uplink.connected = true;
        UplinkTrials t = trials(Duration.ofSeconds(10));
        t.resume();
        await(() -> !t.pending());
        assertEquals(2, bundles.installedVersion().orElseThrow());
        assertTrue(uplink.switchedTo.isEmpty());
        assertFalse(alarms.contains(UplinkTrials.ALARM));
        assertTrue(bundles.pendingTrial().isEmpty());
    }

    @Test
    void noMarker_noTrial() throws Exception {
        bundles.clearTrial();
        UplinkTrials t = trials(Duration.ofMillis(100));
        t.resume();
        assertFalse(t.pending());
        Thread.sleep(300);
        assertEquals(2, bundles.installedVersion().orElseThrow());
    }
}
