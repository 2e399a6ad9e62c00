package io.meterlink.sim.electricity;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.iec62056.dlms.Apdu;
import io.meterlink.drivers.iec62056.dlms.Axdr;
import io.meterlink.drivers.iec62056.dlms.DlmsDateTime;
import io.meterlink.drivers.iec62056.dlms.DlmsValue;
import io.meterlink.drivers.iec62056.hdlc.HdlcAddress;
import io.meterlink.drivers.iec62056.hdlc.HdlcException;
import io.meterlink.drivers.iec62056.hdlc.HdlcFrame;
import io.meterlink.drivers.iec62056.hdlc.HdlcParameters;
import io.meterlink.drivers.iec62056.hdlc.HdlcReader;
import io.meterlink.drivers.transport.Transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server end of a virtual mode E meter's HDLC/DLMS session (IEC 62056-46, IEC 62056-5-3), after
 * {@code ACK 2 Z 2}: SNRM/UA (its own information field limit), I frames with sequence numbers,
 * segmentation both ways (RR per segment), AARQ/AARE (lowest level security, or low level security
 * when it has a password), GET-Normal with block transfer above a block size, RLRQ/RLRE, DISC/UA; up
 * to an inactivity timeout. Objects: 1/0-0:96.1.0 serial, 8/0-0:1.0.0 clock (UTC), registers 3/1-0:1.8.0
 * (double-long-unsigned Wh), 3/1-0:2.8.0 (long64-unsigned Wh), 3/1-0:1.7.0 (double-long W), 3/1-0:32.7.0
 * (long-unsigned, scaler −1 V) and 3/1-0:14.7.0 (float32 Hz); anything else is object-undefined.
 * Damage on demand: every n-th session's first GET response is spoilt ({@link Damage}). The registers
 * a correct client read (with the clock's time when it read the clock first) go to the meter's ledger
 * at release; a damaged session's entry has none. One session per instance.
 */
public final class DlmsMeterSession {
    /** How a session's first GET response is spoilt. */
    public enum Damage {
        /** a wrong FCS */
        FCS,
        /** half the frame, then silence */
        TRUNCATED,
        /** a format field announcing 2047 bytes */
        OVERSIZE,
        /** sent from another server address */
        ADDRESS,
        /** a block transfer that never sends its last block */
        ENDLESS_BLOCKS
    }

    /**
     * @param maxInfo     the information field length this meter accepts and sends at most (its UA)
     * @param blockSize   raw-data bytes per GET block; a value longer than this goes by block transfer (0: never)
     * @param damageEvery every n-th session is damaged (0: none), cycling through {@code damages}
     * @param damages     the damage kinds, in turn
     * @param password    low level security password the meter requires, or {@code null}
     */
    public record Options(int maxInfo, int blockSize, int damageEvery, List<Damage> damages, String password) {
        public static final Options PLAIN = new Options(128, 0, 0, List.of(), null);

        public Options {
            damages = List.copyOf(damages);
            if (damageEvery > 0 && damages.isEmpty()) throw new IllegalArgumentException("damage_every needs damage kinds");
        }
    }

    /** The objects it has, as a gateway's {@code objects} list. */
    public static final List<String> OBJECTS = List.of("8/0-0:1.0.0", "1/0-0:96.1.0", "1-0:1.8.0", "1-0:2.8.0", "1-0:1.7.0", "1-0:32.7.0", "1-0:14.7.0");

    /** How long the meter stays in HDLC without a frame before it falls back to the sign-on. */
    static final int INACTIVITY_MS = 3_000;
    private static final byte[] CLOCK = {0, 0, 1, 0, 0, (byte) 255}, SERIAL = {0, 0, 96, 1, 0, (byte) 255};

    private final Transport line;
    private final VirtualIecMeter meter;
    private final Instant now;
    private final Damage damage;
    private final HdlcAddress self = HdlcAddress.of(1);
    private HdlcAddress client;
    private final HdlcReader reader;
    private int vs, vr, maxTx;
    private boolean associated, clockRead;
    private VirtualIecMeter.Registers regs;
    private final Map<String, Reading> readings = new LinkedHashMap<>();
    private byte[] pendingBlocks;
    private long blockNumber;
    private boolean damaged, endless;

    DlmsMeterSession(Transport line, VirtualIecMeter meter, Instant now, Damage damage) {
        this.line = line;
        this.meter = meter;
        this.now = now.truncatedTo(ChronoUnit.SECONDS);
        this.damage = damage;
        this.reader = new HdlcReader(line);
    }

    /** Serves frames until DISC or inactivity; records the session in the meter's ledger when it associated. */
    void run() throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        try {
            while (true) {
                HdlcFrame f;
                try {
                    f = reader.read(INACTIVITY_MS, HdlcFrame.MAX_LENGTH);
                } catch (HdlcException e) {
                    continue; // a bad frame is not answered (IEC 62056-46: discarded)
                }
                if (f == null) return;
                if (!f.destination().equals(self)) continue; // for another meter
                client = f.source();
                int u = f.unnumbered();
                if (u == HdlcFrame.SNRM) {
                    HdlcParameters theirs = HdlcParameters.decode(f.info());
                    vs = vr = 0;
                    maxTx = Math.min(meter.dlms().maxInfo(), theirs.maxInfoReceive());
                    send(HdlcFrame.UA, false, new HdlcParameters(maxTx, meter.dlms().maxInfo(), 1, 1).encode(), self);
                } else if (u == HdlcFrame.DISC) {
                    send(HdlcFrame.UA, false, null, self);
                    return;
                } else if (f.isI()) {
                    if (f.sendSeq() != vr) continue;
                    vr = vr + 1 & 7;
                    request.writeBytes(f.info());
                    if (f.segmented()) {
                        send(HdlcFrame.rrControl(vr), false, null, self);
                        continue;
                    }
                    byte[] apdu = request.toByteArray();
                    request.reset();
                    if (apdu.length < 4) continue;
                    byte[] answer = answer(Arrays.copyOfRange(apdu, 3, apdu.length));
                    if (answer != null) respond(answer);
                }
            }
        } catch (HdlcException e) {
            // an SNRM parameter field we cannot read: the session ends
        } finally {
            if (associated) meter.record(now, new ArrayList<>(readings.values()), damaged);
        }
    }

    /** The response I frames of one APDU, segmented to maxTx (each further segment after the client's RR). */
    private void respond(byte[] apdu) throws IOException, HdlcException {
        byte[] info = new byte[apdu.length + 3];
        System.arraycopy(Apdu.LLC_RESPONSE, 0, info, 0, 3);
        System.arraycopy(apdu, 0, info, 3, apdu.length);
        boolean spoil = damage != null && !damaged && apdu[0] == (byte) Apdu.GET_RESPONSE;
        if (spoil) damaged = true;
        for (int at = 0; at < info.length; ) {
            int n = Math.min(maxTx, info.length - at);
            boolean more = at + n < info.length;
            byte[] frame = new HdlcFrame(more, client, spoil && damage == Damage.ADDRESS ? HdlcAddress.of(5) : self,
                    HdlcFrame.iControl(vs, vr), Arrays.copyOfRange(info, at, at + n)).encode();
            vs = vs + 1 & 7;
            if (spoil) {
                spoil(frame);
                return;
            }
            line.write(frame);
            at += n;
            if (!more) return;
            HdlcFrame rr = reader.read(INACTIVITY_MS, HdlcFrame.MAX_LENGTH);
            if (rr == null || !rr.isRr()) return;
        }
    }

    private void spoil(byte[] frame) throws IOException {
        switch (damage) {
            case FCS -> {
                frame[frame.length - 2] ^= 0x5A;
                line.write(frame);
            }
            case TRUNCATED -> line.write(Arrays.copyOf(frame, frame.length / 2));
            case OVERSIZE -> {
                frame[1] = (byte) 0xA7;
                frame[2] = (byte) 0xFF;
                line.write(frame);
            }
            default -> line.write(frame); // ADDRESS: the frame itself carries the wrong source
        }
    }

    private void send(int control, boolean segmented, byte[] info, HdlcAddress from) throws IOException {
        line.write(new HdlcFrame(segmented, client, from, control, info).encode());
    }

    /** The response APDU to one request APDU, or {@code null} for none. */
    private byte[] answer(byte[] req) {
        try {
            int tag = req[0] & 0xFF;
            if (tag == Apdu.AARQ) return aare(req);
            if (tag == Apdu.RLRQ) return new byte[] {(byte) Apdu.RLRE, 0x03, (byte) 0x80, 0x01, 0x00};
            if (tag == Apdu.GET_REQUEST && associated) return get(req);
            return new byte[] {(byte) Apdu.EXCEPTION_RESPONSE, 0x01, 0x02}; // service-not-allowed
        } catch (DecodeException | RuntimeException e) {
            return new byte[] {(byte) Apdu.EXCEPTION_RESPONSE, 0x01, 0x03}; // service-unknown
        }
    }

    private byte[] aare(byte[] aarq) throws DecodeException {
        Apdu.Aare a = Apdu.aare(aarq);
        String pw = meter.dlms().password();
        boolean ok = pw == null || a.passwordOffered() != null && Arrays.equals(a.passwordOffered(), pw.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        if (ok) {
            associated = true;
            regs = meter.next();
        }
        // result 0/1, acse-service-user diagnostic 0 or 13 (authentication-failure); InitiateResponse with max PDU 0x0400
        return HexFormat.of().parseHex("6129A109060760857405080101A203020100".replace("A203020100", ok ? "A203020100" : "A203020101")
                + (ok ? "A305A103020100" : "A305A10302010D") + "BE10040E0800065F1F0400001E1D04000007");
    }

    private byte[] get(byte[] req) throws DecodeException {
        Axdr.Cursor c = new Axdr.Cursor(req, 1, req.length);
        int type = c.u8();
        int iid = c.u8();
        if (type == Apdu.NEXT) {
            long n = c.u32();
            if (pendingBlocks == null) return block(iid, true, n, null, 16); // no-long-get-in-progress
            return nextBlock(iid, n);
        }
        int cls = c.u8() << 8 | c.u8();
        byte[] ln = c.bytes(6);
        int attr = c.u8();
        DlmsValue v = value(cls, ln, attr);
        if (v == null) return new byte[] {(byte) Apdu.GET_RESPONSE, Apdu.NORMAL, (byte) iid, 0x01, 0x04}; // object-undefined
        byte[] data = Axdr.encode(v);
        if (damage == Damage.ENDLESS_BLOCKS && !damaged) {
            damaged = endless = true;
            pendingBlocks = data;
            blockNumber = 0;
            return nextBlock(iid, 0);
        }
        int bs = meter.dlms().blockSize();
        if (bs > 0 && data.length > bs) {
            pendingBlocks = data;
            blockNumber = 0;
            return nextBlock(iid, 0);
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {(byte) Apdu.GET_RESPONSE, Apdu.NORMAL, (byte) iid, 0x00});
        o.writeBytes(data);
        return o.toByteArray();
    }

    /** The block after {@code acknowledged}; endless blocks repeat the value forever, never marked last. */
    private byte[] nextBlock(int iid, long acknowledged) {
        int bs = Math.max(1, meter.dlms().blockSize() > 0 ? meter.dlms().blockSize() : 8);
        int from = endless ? (int) (blockNumber * bs % pendingBlocks.length) : (int) (blockNumber * bs);
        int to = Math.min(pendingBlocks.length, from + bs);
        byte[] part = Arrays.copyOfRange(pendingBlocks, from, to);
        blockNumber = acknowledged + 1;
        boolean last = !endless && to >= pendingBlocks.length;
        if (last) pendingBlocks = null;
        return block(iid, last, blockNumber, part, 0);
    }

    private static byte[] block(int iid, boolean last, long number, byte[] raw, int accessResult) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {(byte) Apdu.GET_RESPONSE, Apdu.WITH_DATABLOCK, (byte) iid, (byte) (last ? 1 : 0),
            (byte) (number >> 24), (byte) (number >> 16), (byte) (number >> 8), (byte) number});
        if (raw == null) {
            o.write(1);
            o.write(accessResult);
        } else {
            o.write(0);
            Axdr.writeLength(o, raw.length);
            o.writeBytes(raw);
        }
        return o.toByteArray();
    }

    /** The value of one attribute, recording the reading a client gets from a register's value; {@code null} when undefined. */
    private DlmsValue value(int cls, byte[] ln, int attr) {
        if (cls == 8 && Arrays.equals(ln, CLOCK) && attr == 2) {
            clockRead = true;
            return new DlmsValue.Octets(Axdr.OCTET_STRING, DlmsDateTime.of(LocalDateTime.ofInstant(now, ZoneOffset.UTC)));
        }
        if (cls == 1 && Arrays.equals(ln, SERIAL) && attr == 2) {
            return new DlmsValue.Octets(Axdr.OCTET_STRING, meter.address().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        if (cls != 3 || ln[0] != 1 || ln[1] != 0 || ln[4] != 0 || ln[5] != (byte) 255 || attr != 2 && attr != 3) return null;
        int code = (ln[2] & 0xFF) * 100 + (ln[3] & 0xFF);
        DlmsValue value;
        int scaler = 0, unit;
        Quantity q;
        BigDecimal exact;
        Unit u;
        switch (code) {
            case 108 -> { // 1.8.0
                value = num(Axdr.DOUBLE_LONG_UNSIGNED, BigDecimal.valueOf(regs.importWh()));
                unit = 30; q = Quantity.ENERGY; u = Unit.WH; exact = BigDecimal.valueOf(regs.importWh());
            }
            case 208 -> {
                value = num(Axdr.LONG64_UNSIGNED, BigDecimal.valueOf(regs.exportWh()));
                unit = 30; q = Quantity.ENERGY; u = Unit.WH; exact = BigDecimal.valueOf(regs.exportWh());
            }
            case 107 -> {
                value = num(Axdr.DOUBLE_LONG, BigDecimal.valueOf(regs.powerW()));
                unit = 27; q = Quantity.POWER; u = Unit.W; exact = BigDecimal.valueOf(regs.powerW());
            }
            case 3207 -> {
                value = num(Axdr.LONG_UNSIGNED, regs.volts().movePointRight(1));
                scaler = -1; unit = 35; q = Quantity.VOLTAGE; u = Unit.V; exact = regs.volts();
            }
            case 1407 -> {
                value = num(Axdr.FLOAT32, new BigDecimal("49.98"));
                unit = 44; q = Quantity.FREQUENCY; u = Unit.HZ; exact = new BigDecimal("49.98");
            }
            default -> {
                return null;
            }
        }
        if (attr == 3) return new DlmsValue.Items(Axdr.STRUCTURE, List.of(num(Axdr.INTEGER, BigDecimal.valueOf(scaler)), num(Axdr.ENUM, BigDecimal.valueOf(unit))));
        MeterId m = meter.meterId();
        int c = ln[2] & 0xFF;
        readings.put(code + "", new Reading(m, q, u, exact.stripTrailingZeros(), MeasurementFunction.INSTANTANEOUS, 0, 0, c, clockRead ? now : null, now, 0, null));
        return value;
    }

    private static DlmsValue num(int tag, BigDecimal v) { return new DlmsValue.Num(tag, v); }
}
