package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.iec62056.dlms.CosemObject;
import io.meterlink.drivers.iec62056.dlms.DlmsClient;
import io.meterlink.drivers.iec62056.dlms.DlmsException;
import io.meterlink.drivers.iec62056.hdlc.HdlcAddress;
import io.meterlink.drivers.iec62056.hdlc.HdlcClient;
import io.meterlink.drivers.iec62056.hdlc.HdlcException;
import io.meterlink.drivers.iec62056.hdlc.HdlcFrame;
import io.meterlink.drivers.iec62056.hdlc.HdlcParameters;
import io.meterlink.drivers.iec62056.hdlc.HdlcReader;
import io.meterlink.drivers.transport.Transport;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LLS password on its way to the meter (AARQ, LLC header, HDLC frames, segments) leaves no copy
 * behind: every array that held it is wiped once sent, whether the association is accepted or refused.
 * The test keeps references to the very arrays the code handed on and looks at them afterwards.
 */
class DlmsPasswordWipeTest {
    static final String PASSWORD = "lls-Secret-4711";
    static final HdlcAddress SERVER = HdlcAddress.of(1), CLIENT = HdlcAddress.of(16);
    /** An AARE refusing the password (acse-service-user diagnostic 13, authentication failure), with the LLC header. */
    static final byte[] REFUSED = HexFormat.of().parseHex("E6E700" + "6129A109060760857405080101A203020101A305A10302010DBE10040E0800065F1F0400001E1D04C80007");

    /** A meter that takes at most 20 information bytes per frame (so the AARQ goes in segments) and refuses the password. */
    private static final class Meter implements Transport {
        final List<byte[]> handedOn = new ArrayList<>();
        final ByteArrayOutputStream sentInfo = new ByteArrayOutputStream();
        final ArrayDeque<Byte> pending = new ArrayDeque<>();

        @Override public void write(byte[] bytes) throws IOException {
            handedOn.add(bytes); // the array itself, not a copy
            HdlcFrame f;
            try {
                f = HdlcFrame.decode(java.util.Arrays.copyOfRange(bytes, 1, bytes.length - 1));
            } catch (HdlcException e) {
                throw new IOException(e);
            }
            sentInfo.writeBytes(f.info());
            byte[] answer;
            if (f.unnumbered() == HdlcFrame.SNRM || f.unnumbered() == HdlcFrame.DISC) {
                answer = frame(HdlcFrame.UA, false, f.unnumbered() == HdlcFrame.SNRM ? new HdlcParameters(128, 20, 1, 1).encode() : null);
            } else if (f.segmented()) {
                answer = frame(HdlcFrame.rrControl(f.sendSeq() + 1), false, null);
            } else {
                answer = frame(HdlcFrame.iControl(0, f.sendSeq() + 1), false, REFUSED);
            }
            for (byte b : answer) pending.add(b);
        }

        private static byte[] frame(int control, boolean segmented, byte[] info) {
            return new HdlcFrame(segmented, CLIENT, SERVER, control, info).encode();
        }

        @Override public int read(byte[] buf, int timeoutMillis) {
            int n = 0;
            while (n < buf.length && !pending.isEmpty()) buf[n++] = pending.poll();
            return n;
        }

        @Override public void open() { }
        @Override public boolean isOpen() { return true; }
        @Override public void drainInput() { pending.clear(); }
        @Override public String describe() { return "meter"; }
        @Override public void close() { }
    }

    private static boolean wiped(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    @Test
    void modeESession_everyFrameThatCarriedThePassword_isWipedAfterSending() {
        Meter meter = new Meter();
        HdlcClient link = new HdlcClient(meter, SERVER, CLIENT, 200, 128, ModeESession.MAX_MESSAGE, () -> { }, HdlcReader.SLOWEST_BAUD);
        ModeESession session = new ModeESession(link, List.of(CosemObject.parse("1-0:1.8.0")), e -> { });
        DlmsException e = assertThrows(DlmsException.class, () -> session.read("ABC", "meter", PASSWORD.toCharArray()));
        assertEquals(DlmsException.Reason.AUTHENTICATION, e.reason());
        String sent = meter.sentInfo.toString(StandardCharsets.ISO_8859_1);
        assertTrue(sent.contains(PASSWORD), "the password went out (in the AARQ's segments)");
        assertTrue(meter.handedOn.size() >= 4, "SNRM, the AARQ in several segments, DISC: " + meter.handedOn.size());
        for (byte[] b : meter.handedOn) assertTrue(wiped(b), "a frame handed to the line still holds bytes: " + HexFormat.of().formatHex(b));
    }

    @Test
    void dlmsClient_theAarqItBuilt_isWipedWhetherAcceptedOrRefused() throws Exception {
        byte[] password = PASSWORD.getBytes(StandardCharsets.US_ASCII);
        List<byte[]> requests = new ArrayList<>();
        String accepted = "6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F0400001E1D04C80007";
        new DlmsClient(apdu -> {
            requests.add(apdu);
            assertTrue(new String(apdu, StandardCharsets.ISO_8859_1).contains(PASSWORD), "the AARQ carries the password when sent");
            return HexFormat.of().parseHex(accepted);
        }, 8, 1024).associate(password, 1024);
        DlmsClient refusing = new DlmsClient(apdu -> {
            requests.add(apdu);
            return java.util.Arrays.copyOfRange(REFUSED, 3, REFUSED.length);
        }, 8, 1024);
        assertThrows(DecodeException.class, () -> refusing.associate(password, 1024));
        assertEquals(2, requests.size());
        for (byte[] r : requests) assertTrue(wiped(r), "the AARQ still holds bytes after the exchange");
    }
}
