package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;
import io.meterlink.drivers.iec62056.dlms.CosemObject;
import io.meterlink.drivers.iec62056.dlms.DlmsClient;
import io.meterlink.drivers.iec62056.dlms.DlmsException;
import io.meterlink.drivers.iec62056.dlms.DlmsRecords;
import io.meterlink.drivers.iec62056.dlms.DlmsValue;
import io.meterlink.drivers.iec62056.dlms.Apdu;
import io.meterlink.drivers.iec62056.hdlc.HdlcClient;
import io.meterlink.drivers.iec62056.hdlc.HdlcException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One mode E reading after {@code ACK 2 Z 2} (IEC 62056-21 Annex E): the HDLC connection (SNRM/UA),
 * the DLMS association (AARQ/AARE), a GET of each configured object's attributes, release (RLRQ) and
 * DISC. An object the meter refuses (data-access-result) is counted and left out, the others are
 * still read; any link or association failure ends the session without a reading (the poll is
 * retried). The records become one frame whose meter is {@code iec62056:<manufacturer>:<serial>},
 * the serial from an identifier object (0-0:96.1.x, 0-0:0.0.0, 0-0:42.0.0) or else the identification.
 */
final class ModeESession {
    /** Largest value accepted from one block transfer, and its most blocks. */
    static final int MAX_VALUE_BYTES = 65_536, MAX_BLOCKS = 256;
    static final int MAX_PDU = 1024;
    /** Longest reassembled HDLC response: the PDU we announce in the AARQ plus the LLC header and a small margin. */
    static final int MAX_MESSAGE = MAX_PDU + 32;

    private final HdlcClient link;
    private final List<CosemObject> objects;
    private final Consumer<DecodeException> refused;

    /** @param refused receives each object the meter refused (counted, the session goes on) */
    ModeESession(HdlcClient link, List<CosemObject> objects, Consumer<DecodeException> refused) {
        this.link = link;
        this.objects = List.copyOf(objects);
        this.refused = refused;
    }

    /** The session's records as one frame; throws on any failure of the link or the association. */
    DecodedFrame read(String manufacturer, String identification, char[] password) throws IOException, DecodeException {
        DlmsClient client = new DlmsClient(this::exchange, MAX_BLOCKS, MAX_VALUE_BYTES);
        byte[] pw = null;
        if (password != null) {
            pw = new byte[password.length];
            for (int i = 0; i < password.length; i++) pw[i] = (byte) password[i];
        }
        List<DecodedRecord> records = new ArrayList<>();
        String serial = null;
        try {
            link.connect();
            client.associate(pw, MAX_PDU);
            if (pw != null) Arrays.fill(pw, (byte) 0);
            String clock = null;
            List<CosemObject> ordered = new ArrayList<>(objects); // the clock first: its time is the registers' meter time
            ordered.sort((a, b) -> Boolean.compare(b.classId() == CosemObject.CLOCK, a.classId() == CosemObject.CLOCK));
            for (CosemObject o : ordered) {
                try {
                    DlmsValue value = client.get(o, 2);
                    DecodedRecord r;
                    switch (o.classId()) {
                        case CosemObject.CLOCK -> {
                            r = DlmsRecords.data(o.obis(), value, null);
                            String t = DlmsRecords.text(value);
                            if (t.length() >= 19 && t.charAt(10) == 'T') clock = t;
                        }
                        case CosemObject.DATA -> {
                            r = DlmsRecords.data(o.obis(), value, null);
                            if (serial == null && identifier(o) && !(value instanceof DlmsValue.Num)) serial = DlmsRecords.text(value);
                        }
                        default -> {
                            DlmsValue scalerUnit = client.get(o, 3);
                            String time = clock;
                            if (o.classId() == CosemObject.EXTENDED_REGISTER) {
                                try {
                                    String captured = DlmsRecords.text(client.get(o, 5));
                                    if (captured.length() >= 19 && captured.charAt(10) == 'T') time = captured;
                                } catch (DlmsException e) {
                                    if (e.reason() != DlmsException.Reason.DATA_ACCESS) throw e; // no capture time: the clock's
                                }
                            }
                            r = DlmsRecords.register(o.obis(), value, scalerUnit, time);
                        }
                    }
                    records.add(r);
                } catch (DlmsException e) {
                    if (e.reason() != DlmsException.Reason.DATA_ACCESS) throw e;
                    refused.accept(e);
                }
            }
            client.release();
        } finally {
            if (pw != null) Arrays.fill(pw, (byte) 0);
            link.disconnect();
        }
        List<Fact> h = new ArrayList<>();
        h.add(new Fact("protocol", Iec62056FrameDecoder.PROTOCOL));
        h.add(new Fact("meter", Iec62056FrameDecoder.meterId(manufacturer, serial, identification)));
        h.add(new Fact("manufacturer", manufacturer));
        h.add(new Fact("mode", "E"));
        return new DecodedFrame(Iec62056FrameDecoder.PROTOCOL, h, records, List.of());
    }

    private static boolean identifier(CosemObject o) {
        int c = o.obis().c(), d = o.obis().d();
        return c == 96 && d == 1 || c == 0 && d == 0 || c == 42 && d == 0;
    }

    /** A request with the client LLC header, the response without the server's (IEC 62056-46 §5). */
    private byte[] exchange(byte[] apdu) throws IOException, DecodeException {
        byte[] out = new byte[apdu.length + 3];
        System.arraycopy(Apdu.LLC_REQUEST, 0, out, 0, 3);
        System.arraycopy(apdu, 0, out, 3, apdu.length);
        byte[] in;
        try {
            in = link.exchange(out);
        } finally {
            Arrays.fill(out, (byte) 0); // the AARQ holds the password
        }
        if (in.length < 4 || in[0] != Apdu.LLC_RESPONSE[0] || in[1] != Apdu.LLC_RESPONSE[1] || in[2] != Apdu.LLC_RESPONSE[2]) {
            throw new HdlcException(HdlcException.Reason.FORMAT, "a response without the LLC header E6 E7 00");
        }
        return Arrays.copyOfRange(in, 3, in.length);
    }
}
