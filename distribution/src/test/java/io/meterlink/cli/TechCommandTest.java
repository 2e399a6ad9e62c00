package io.meterlink.cli;

import io.meterlink.core.status.BadInputCounts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.status.UplinkStats;
import io.meterlink.provisioning.tech.LocalOpenSignal;
import io.meterlink.provisioning.tech.TechEndpointConfig;
import io.meterlink.provisioning.tech.TechServices;
import io.meterlink.provisioning.tech.TechnicianEndpoint;
import io.meterlink.provisioning.tech.TechnicianPsk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TechCommandTest {
    private static final String SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    @TempDir Path tmp;
    private final StringWriter out = new StringWriter(), err = new StringWriter();
    private TechnicianEndpoint endpoint;

    @AfterEach void close() {
        if (endpoint != null) endpoint.close();
    }

    private int run(String... args) {
        return Main.commandLine(new MainTest.FakeServices(), new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private static StatusSnapshot status() {
        return new StatusSnapshot("gw-cli-1", "test", 1_700_000_000_000L, 5,
                new BufferStats(3, 300, 1000, 0, 3, 3, 0, Map.of(), 0, List.of()),
                new UplinkStats(false, 0, 0, 0, 0, null), 0, List.of(), BadInputCounts.NONE, List.of());
    }

    private String open() {
        TechEndpointConfig config = TechEndpointConfig.defaults().withBindAddress(InetAddress.getLoopbackAddress()).withPort(0);
        endpoint = new TechnicianEndpoint(config, TechnicianPsk.of("technician", SECRET.toCharArray()),
                TechServices.builder().status(TechCommandTest::status).build(), Clock.systemUTC());
        endpoint.open("test");
        return "127.0.0.1:" + endpoint.address().orElseThrow().getPort();
    }

    @Test void status_printsTheGatewaysJson_exit0() throws Exception {
        String gw = open();
        Path psk = Files.writeString(tmp.resolve("label.psk"), SECRET + "\n");
        assertEquals(Main.OK, run("tech", "status", "--gateway", gw, "--psk-file", psk.toString()), err.toString());
        JsonNode n = new ObjectMapper().readTree(out.toString());
        assertEquals("gw-cli-1", n.get("gw").asText());
        assertFalse(out.toString().contains(SECRET) || err.toString().contains(SECRET), "the PSK is never printed");
    }

    @Test void enrol_notAvailable_exit3WithTheCode() throws Exception {
        String gw = open();
        Path psk = Files.writeString(tmp.resolve("label.psk"), SECRET);
        assertEquals(Main.FAILURE, run("tech", "enrol", "--gateway", gw, "--psk-file", psk.toString()));
        assertTrue(err.toString().contains("5.01"), err.toString());
    }

    @Test void wrongPsk_noAnswer_exit3() throws Exception {
        String gw = open();
        Path psk = Files.writeString(tmp.resolve("label.psk"), "WRONGWRONGWRONGWRONGWRONG2");
        assertEquals(Main.FAILURE, run("tech", "status", "--gateway", gw, "--psk-file", psk.toString(), "--timeout", "3s"));
        assertTrue(err.toString().contains("no answer"), err.toString());
        assertTrue(out.toString().isEmpty());
    }

    @Test void missingPskFile_exit2() {
        assertEquals(Main.USAGE, run("tech", "status", "--gateway", "127.0.0.1", "--psk-file", tmp.resolve("none").toString()));
    }

    @Test void provisionOpen_asTheRequiredUser_isTakenByTheGateway() throws Exception {
        Path probe = Files.createFile(tmp.resolve("probe"));
        int uid = (Integer) Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        LocalOpenSignal signal = new LocalOpenSignal(tmp, uid, Clock.systemUTC());
        java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
        try (AutoCloseable watcher = signal.watch(opened::countDown)) {
            assertEquals(Main.OK, run("provision", "open", "--state-dir", tmp.toString(), "--required-uid", String.valueOf(uid), "--wait", "30"), err.toString());
        }
        assertEquals(0, opened.getCount());
    }

    @Test void provisionOpen_notAsRoot_exit2() throws Exception {
        Path probe = Files.createFile(tmp.resolve("probe"));
        int uid = (Integer) Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        assertEquals(Main.USAGE, run("provision", "open", "--state-dir", tmp.toString(), "--required-uid", String.valueOf(uid + 1)));
        assertFalse(Files.exists(tmp.resolve(LocalOpenSignal.FILE_NAME)));
    }

    @Test void provisionOpen_noGatewayRunning_exit3_andWithdrawsTheTrigger() throws Exception {
        Path probe = Files.createFile(tmp.resolve("probe"));
        int uid = (Integer) Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        assertEquals(Main.FAILURE, run("provision", "open", "--state-dir", tmp.toString(), "--required-uid", String.valueOf(uid), "--wait", "1"));
        assertFalse(Files.exists(tmp.resolve(LocalOpenSignal.FILE_NAME)));
    }
}
