package io.meterlink.sim.rtl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.ert.ErtDemodulator;
import io.meterlink.drivers.ert.ErtPacket;
import io.meterlink.drivers.ert.ErtProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The rtl_tcp server over a real TCP socket: the 12-byte greeting, the 5-byte commands, and a
 * stream in which the Java demodulator hears every consumption the manifest says was sent, for all
 * six protocols.
 */
class RtlTcpServerTest {
    @TempDir Path dir;

    @Test
    void everyPacketInTheManifest_isHeard_overTcp() throws Exception {
        Path manifest = dir.resolve("manifest.json");
        List<ErtProtocol> all = List.of(ErtProtocol.values());
        Set<String> heardMain = new HashSet<>(), heardAlt = new HashSet<>();
        List<DecodeException> refused = new ArrayList<>();
        ErtDemodulator main = demod(EnumSet.of(ErtProtocol.SCM, ErtProtocol.SCM_PLUS, ErtProtocol.IDM, ErtProtocol.R900), heardMain, refused);
        ErtDemodulator alt = demod(EnumSet.of(ErtProtocol.NETIDM, ErtProtocol.R900BCD), heardAlt, refused);
        RtlTcpServer server = new RtlTcpServer(new RtlTcpServer.Config(InetAddress.getLoopbackAddress(), 0, 6, all, 42, 0.5,
                20, 15_000, 2_359_296, manifest, true));
        listen(server, main, alt);
        main.flush();
        alt.flush();
        assertEquals(912_600_155L, server.commands().get(1));
        assertEquals(2_359_296L, server.commands().get(2));
        JsonNode m = new ObjectMapper().readTree(manifest.toFile());
        assertEquals(6, m.get("meters").size());
        int packets = 0;
        for (JsonNode meter : m.get("meters")) {
            ErtProtocol p = ErtProtocol.byName(meter.get("protocol").asText());
            Set<String> heard = p == ErtProtocol.NETIDM || p == ErtProtocol.R900BCD ? heardAlt : heardMain;
            assertTrue(meter.get("consumptions").size() >= 3, meter::toString);
            for (JsonNode c : meter.get("consumptions")) {
                packets++;
                String key = p.wireName() + ":" + meter.get("id").asLong() + ":" + c.asLong();
                assertTrue(heard.contains(key), () -> key + " not heard; heard " + heard + " refused " + refused);
            }
        }
        assertEquals(m.get("packets_sent").asInt(), packets);
    }

    /** Connects, tunes, reads until every meter sent 3 packets, then silences the server and reads out what is on the air. */
    private static void listen(RtlTcpServer server, ErtDemodulator main, ErtDemodulator alt) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] header = new byte[12];
            in.readFully(header);
            assertEquals("RTL0", new String(header, 0, 4, StandardCharsets.US_ASCII));
            assertEquals(5, java.nio.ByteBuffer.wrap(header, 4, 4).getInt()); // R820T
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeByte(0x01);
            out.writeInt(912_600_155);
            out.writeByte(0x02);
            out.writeInt(2_359_296);
            out.writeByte(0x03);
            out.writeInt(1);
            out.flush();
            byte[] buf = new byte[65536];
            long until = System.nanoTime() + 60_000_000_000L; // a bound for a loaded machine; normally about 2 s
            while (System.nanoTime() < until && server.meters().stream().anyMatch(x -> x.sent().size() < 3)) feed(in, buf, main, alt);
            server.silence(); // packets on the air end; read on until they are in
            long quiet = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < quiet) feed(in, buf, main, alt);
            server.close();
        }
    }

    /** Every packet collides with a 10 dB weaker one of an interfering meter: the stronger is still decoded every time. */
    @Test
    void collisionsOnDemand_theStrongerPacketIsHeard_everyCollisionInTheManifest() throws Exception {
        Path manifest = dir.resolve("collisions.json");
        Set<String> heard = new HashSet<>(), ignored = new HashSet<>();
        List<DecodeException> refused = new ArrayList<>();
        ErtDemodulator main = demod(EnumSet.of(ErtProtocol.SCM, ErtProtocol.SCM_PLUS, ErtProtocol.IDM, ErtProtocol.R900), heard, refused);
        ErtDemodulator none = demod(EnumSet.of(ErtProtocol.NETIDM), ignored, new ArrayList<>());
        RtlTcpServer server = new RtlTcpServer(new RtlTcpServer.Config(InetAddress.getLoopbackAddress(), 0, 4,
                List.of(ErtProtocol.SCM, ErtProtocol.SCM_PLUS, ErtProtocol.IDM, ErtProtocol.R900), 7, 0.5,
                25, 15_000, 2_359_296, manifest, true, 0, false, 0, 1, 10));
        listen(server, main, none);
        main.flush();
        JsonNode m = new ObjectMapper().readTree(manifest.toFile());
        assertTrue(m.get("collisions").asInt() >= 12, m::toString);
        assertEquals(4, m.get("interferers").size(), m::toString);
        for (JsonNode meter : m.get("meters")) {
            ErtProtocol p = ErtProtocol.byName(meter.get("protocol").asText());
            for (JsonNode c : meter.get("consumptions")) {
                String key = p.wireName() + ":" + meter.get("id").asLong() + ":" + c.asLong();
                assertTrue(heard.contains(key), () -> key + " lost in a collision; heard " + heard + " refused " + refused);
            }
        }
    }

    private static boolean feed(InputStream in, byte[] buf, ErtDemodulator... ds) throws java.io.IOException {
        int n;
        try {
            n = in.read(buf);
        } catch (java.net.SocketException e) {
            return false;
        }
        if (n < 0) return false;
        for (ErtDemodulator d : ds) d.feedU8(buf, 0, n);
        return true;
    }

    private static ErtDemodulator demod(Set<ErtProtocol> ps, Set<String> heard, List<DecodeException> refused) {
        return new ErtDemodulator(72, ps, new ErtDemodulator.Listener() {
            @Override public void packet(ErtPacket p, long sample) {
                heard.add(p.protocol().wireName() + ":" + p.id() + ":" + p.consumption());
            }

            @Override public void refused(ErtProtocol p, DecodeException e, long sample) { refused.add(e); }
        });
    }
}
