package io.meterlink.drivers.iec62056.hdlc;

import io.meterlink.drivers.transport.CheckedTransport;
import io.meterlink.drivers.transport.Transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The client (primary station) end of an HDLC connection in normal response mode (IEC 62056-46):
 * SNRM/UA with the negotiation of information field lengths (window 1), then request and response
 * as I frames with send and receive sequence numbers, long information split into segments (S bit,
 * each acknowledged by RR), and DISC. Any frame out of order, from another address, rejected (FRMR)
 * or disconnected (DM) ends the exchange with an {@link HdlcException}; an unchecked failure of the transport
 * (or a frame our own set-up cannot encode) is an {@link IOException}, a line failure, never the meter's bad
 * input. Used by one thread.
 */
public final class HdlcClient {
    /** Frame bytes besides the information field: format, two 4-byte addresses, control, HCS, FCS. */
    private static final int OVERHEAD = 2 + 4 + 4 + 1 + 2 + 2;
    /** RNR answers waited through before giving up. */
    private static final int BUSY_LIMIT = 5;

    private final Transport line;
    private final HdlcReader reader;
    private final HdlcAddress server, client;
    private final int timeoutMs;
    private final int maxInfo;
    private final int maxMessage;
    private final Runnable beat;
    private int vs, vr;
    private int maxTx = 128, maxRx = 128;

    /**
     * @param maxInfo    the longest information field proposed in SNRM (both directions)
     * @param maxMessage the longest reassembled response accepted
     * @param beat       called on every frame and every read of bytes within one (the driver's heartbeat)
     * @param baud       the line's speed: sets each frame's deadline ({@link HdlcReader#deadlineNanos}; {@link HdlcReader#SLOWEST_BAUD} when unknown)
     */
    public HdlcClient(Transport line, HdlcAddress server, HdlcAddress client, int timeoutMs, int maxInfo, int maxMessage, Runnable beat, int baud) {
        this.line = CheckedTransport.of(line); // a transport's unchecked failure is a line failure, never the meter's input
        this.reader = new HdlcReader(this.line, beat, baud, System::nanoTime); // beats inside a long frame too, within the frame's deadline
        this.server = server;
        this.client = client;
        this.timeoutMs = timeoutMs;
        this.maxInfo = maxInfo;
        this.maxMessage = maxMessage;
        this.beat = beat;
    }

    /** SNRM with our parameters, UA with the server's: the lengths used are the smaller of both sides'. */
    public HdlcParameters connect() throws IOException, HdlcException {
        vs = vr = 0;
        HdlcParameters ours = new HdlcParameters(maxInfo, maxInfo, 1, 1);
        send(HdlcFrame.SNRM, false, ours.encode());
        HdlcFrame ua = answer();
        if (ua.unnumbered() != HdlcFrame.UA) throw unexpected(ua, "UA to SNRM");
        HdlcParameters theirs = HdlcParameters.decode(ua.info());
        maxTx = Math.max(1, Math.min(maxInfo, theirs.maxInfoReceive()));
        maxRx = Math.min(maxInfo, theirs.maxInfoTransmit());
        return theirs;
    }

    /** Sends {@code request} (segmented as needed) and returns the whole response information (segments joined). */
    public byte[] exchange(byte[] request) throws IOException, HdlcException {
        for (int at = 0; at < request.length || at == 0; ) {
            int n = Math.min(maxTx, request.length - at);
            boolean more = at + n < request.length;
            send(HdlcFrame.iControl(vs, vr), more, request, at, n);
            vs = vs + 1 & 7;
            at += n;
            if (!more) break;
            HdlcFrame rr = answer();
            if (!rr.isRr() || rr.receiveSeq() != vs) throw unexpected(rr, "RR(nr=" + vs + ") to a segment");
        }
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        int busy = 0;
        while (true) {
            HdlcFrame f = answer();
            if (f.isRnr()) {
                if (++busy > BUSY_LIMIT) throw new HdlcException(HdlcException.Reason.TIMEOUT, "the server stayed busy (RNR) through " + BUSY_LIMIT + " polls");
                send(HdlcFrame.rrControl(vr), false, null);
                continue;
            }
            if (!f.isI()) throw unexpected(f, "an I frame");
            if (f.sendSeq() != vr || f.receiveSeq() != vs) {
                throw new HdlcException(HdlcException.Reason.SEQUENCE, "I frame ns=" + f.sendSeq() + " nr=" + f.receiveSeq() + ", expected ns=" + vr + " nr=" + vs);
            }
            if (f.segmented() && f.infoLength() == 0) { // would add nothing: a meter answering so would poll us forever
                throw new HdlcException(HdlcException.Reason.FORMAT, "a segmented I frame without information");
            }
            vr = vr + 1 & 7;
            if (response.size() + f.infoLength() > maxMessage) {
                throw new HdlcException(HdlcException.Reason.LENGTH, "a response longer than " + maxMessage + " bytes");
            }
            response.writeBytes(f.info());
            if (!f.segmented()) return response.toByteArray();
            send(HdlcFrame.rrControl(vr), false, null); // poll for the next segment
        }
    }

    /** DISC; the UA (or DM of a server already disconnected) is awaited, silence tolerated. */
    public void disconnect() throws IOException {
        try {
            send(HdlcFrame.DISC, false, null);
            HdlcFrame f = reader.read(timeoutMs, maxRx + OVERHEAD);
            if (f != null) beat.run();
        } catch (HdlcException e) {
            // the connection is over either way
        }
    }

    /** Forgets whatever the line holds (before a new connection, after a refused frame). */
    public void discard() throws IOException { reader.discard(); }

    private void send(int control, boolean segmented, byte[] info) throws IOException {
        send(control, segmented, info, 0, info == null ? 0 : info.length);
    }

    /**
     * Sends {@code length} bytes of {@code info} from {@code offset} in one frame, encoded straight into one
     * array that is wiped once written (a request may hold the DLMS password: no copy is left behind).
     */
    private void send(int control, boolean segmented, byte[] info, int offset, int length) throws IOException {
        byte[] frame;
        try {
            frame = HdlcFrame.encode(segmented, server, client, control, info, offset, length);
        } catch (IllegalArgumentException e) { // a frame our own parameters cannot carry: the set-up is wrong, not the meter's answer
            throw new IOException("the HDLC set-up cannot send this frame: " + e.getMessage(), e);
        }
        try {
            line.write(frame);
        } finally {
            java.util.Arrays.fill(frame, (byte) 0);
        }
    }

    private HdlcFrame answer() throws IOException, HdlcException {
        HdlcFrame f = reader.read(timeoutMs, maxRx + OVERHEAD);
        if (f == null) throw new HdlcException(HdlcException.Reason.TIMEOUT, "no answer within " + timeoutMs + " ms");
        beat.run();
        if (!f.destination().equals(client) || !f.source().equals(server)) {
            throw new HdlcException(HdlcException.Reason.ADDRESS, "a frame from " + f.source() + " to " + f.destination() + ", expected " + server + " to " + client);
        }
        if (f.unnumbered() == HdlcFrame.FRMR) throw new HdlcException(HdlcException.Reason.FRAME_REJECT, "the server rejected our frame");
        if (f.unnumbered() == HdlcFrame.DM) throw new HdlcException(HdlcException.Reason.DISCONNECTED, "the server is in disconnected mode");
        return f;
    }

    private static HdlcException unexpected(HdlcFrame f, String expected) {
        return new HdlcException(HdlcException.Reason.SEQUENCE, f + " where " + expected + " was expected");
    }
}
