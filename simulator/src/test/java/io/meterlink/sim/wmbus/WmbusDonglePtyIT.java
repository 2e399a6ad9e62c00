package io.meterlink.sim.wmbus;

import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.sim.serial.SocatPty;
import io.meterlink.sim.testing.Executables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real wireless M-Bus driver reading virtual dongles over a socat pseudo-terminal pair: the
 * gateway opens its end through jSerialComm exactly as it opens a USB stick.
 */
class WmbusDonglePtyIT {
    @TempDir
    Path dir;

    /** A socat pty pair ({@link SocatPty}): its meter end for the virtual dongle, its gateway end for the driver; socat missing fails under CI, else skips. */
    private SocatPty ptyPair() throws Exception {
        Executables.require("socat");
        return SocatPty.start(dir, "dongle");
    }

    @ParameterizedTest
    @ValueSource(strings = {"im871a", "iu891a", "amb8465", "hexlines"})
    void driverOverPty_readsEveryMeterExactly_countsBadInput_storesInBuffer(String type) throws Exception {
        try (SocatPty pty = ptyPair()) {
            Path a = pty.meterEnd(), b = pty.gatewayEnd();
            VirtualDongle dongle = VirtualWmbusMeterTest.dongle(type);
            List<byte[]> fromHost;
            try (WmbusRadioScenario scenario = new WmbusRadioScenario(dongle, dir);
                 SerialDongleEndpoint endpoint = new SerialDongleEndpoint(a.toString(), 57600, dongle)) {
                scenario.run(scenario.settings(Map.of("transport", "serial", "port", b.toString())), endpoint);
                scenario.assertOutcome();
                fromHost = endpoint.fromHost();
            }
            String sent = HexFormat.of().withUpperCase().formatHex(concat(fromHost));
            switch (type) { // the driver put the stick into T1 mode on open
                case "im871a" -> assertTrue(sent.startsWith("A58103060003000308"), "SET_CONFIG_REQ link mode T1: " + sent);
                case "amb8465" -> assertTrue(sent.startsWith("FF040108"), "CMD_SET_MODE_REQ T1: " + sent);
                // wake-up ENDs, SLIP END, SAP 09 set active configuration: C1/T1 mode 3, options 000A, re-calibration 600,000 ms (C0 escaped)
                case "iu891a" -> assertTrue(sent.startsWith("C0C0C0C0C00903030A0000000000DBDC270900"), "set active configuration: " + sent);
                default -> assertEquals("", sent);
            }
        }
    }

    /**
     * The iU891A's SLIP line with hostile bytes between good messages: a bad escape, a wrong CRC, a
     * message too short, one far too long (no END for 3 × its limit), an RX event whose frame is cut,
     * and noise of no SAP. Each is counted once by kind, the noise not at all, and every telegram
     * after them is read.
     */
    @Test
    void iu891aOverPty_hostileSlipBytes_countedByKind_goodMessagesStillRead() throws Exception {
        try (SocatPty pty = ptyPair()) {
            Path a = pty.meterEnd(), b = pty.gatewayEnd();
            Iu891aDongle dongle = new Iu891aDongle();
            byte[] oversize = new byte[3 * 320 + 2];
            java.util.Arrays.fill(oversize, (byte) 0x11);
            oversize[0] = (byte) 0xC0;
            oversize[1] = 0x09;
            oversize[oversize.length - 1] = (byte) 0xC0;
            byte[] cut = new byte[10 + 12 + 2];
            cut[0] = 0x09;
            cut[1] = 0x20;
            cut[10] = 0x30; // L = 48, only 12 bytes follow
            Im871aDongle.withCrc(cut, 0);
            List<byte[]> hostile = List.of(
                    HexFormat.of().parseHex("C0092041DB4142C0"),            // DB 41: no SLIP escape
                    dongle.corrupted(HexFormat.of().parseHex("0B442D2C11111111011607"), -60),
                    HexFormat.of().parseHex("C00920C0"),                     // 2 bytes: no room for a CRC
                    oversize,
                    Iu891aDongle.slip(cut),
                    dongle.garbage(new java.util.Random(5)));
            try (WmbusRadioScenario scenario = new WmbusRadioScenario(dongle, dir);
                 SerialDongleEndpoint endpoint = new SerialDongleEndpoint(a.toString(), 115200, dongle)) {
                scenario.runHostile(scenario.settings(Map.of("transport", "serial", "port", b.toString())), endpoint, hostile,
                        Map.of(Kind.SYNTAX, 1, Kind.CHECKSUM, 1, Kind.TRUNCATED, 2, Kind.LENGTH, 1));
            }
        }
    }

    private static byte[] concat(List<byte[]> parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        parts.forEach(o::writeBytes);
        return o.toByteArray();
    }
}
