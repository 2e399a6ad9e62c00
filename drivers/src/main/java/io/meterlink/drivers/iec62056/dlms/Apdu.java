package io.meterlink.drivers.iec62056.dlms;

import java.io.ByteArrayOutputStream;

/**
 * The DLMS/COSEM APDUs a client reading registers needs (IEC 62056-5-3, ACSE per the Green Book):
 * AARQ/AARE (logical name referencing without ciphering, lowest or low level security), RLRQ,
 * GET-Request-Normal and -Next, and the GET-Response forms. Stateless.
 */
public final class Apdu {
    public static final int AARQ = 0x60, AARE = 0x61, RLRQ = 0x62, RLRE = 0x63;
    public static final int GET_REQUEST = 0xC0, GET_RESPONSE = 0xC4, CONFIRMED_SERVICE_ERROR = 0x0E, EXCEPTION_RESPONSE = 0xD8;
    public static final int NORMAL = 1, NEXT = 2, WITH_DATABLOCK = 2;
    /** invoke-id 1, confirmed, high priority. */
    public static final int INVOKE_ID_AND_PRIORITY = 0xC1;
    /** Application context name LN referencing, no ciphering: 2.16.756.5.8.1.1 (joint-iso-ccitt country Switzerland DLMS UA). */
    static final byte[] CONTEXT_LN = {0x06, 0x07, 0x60, (byte) 0x85, 0x74, 0x05, 0x08, 0x01, 0x01};
    /** Authentication mechanism name low level security: 2.16.756.5.8.2.1. */
    static final byte[] MECHANISM_LLS = {0x60, (byte) 0x85, 0x74, 0x05, 0x08, 0x02, 0x01};
    /** Proposed conformance: get, set, action, selective access, block transfer with get/set/action, multiple references. */
    public static final int CONFORMANCE = 0x007E1F;
    /** LLC header of a client request and of a server response (IEC 62056-46 §5, Green Book §8.4.2). */
    public static final byte[] LLC_REQUEST = {(byte) 0xE6, (byte) 0xE6, 0x00}, LLC_RESPONSE = {(byte) 0xE6, (byte) 0xE7, 0x00};

    private Apdu() {}

    /**
     * AARQ; with a {@code password} (its bytes, not kept) low level security, else lowest. The password is
     * copied once, into the returned array and nowhere else (no growing buffer leaves copies behind): the
     * caller wipes that array once it is sent.
     */
    public static byte[] aarq(byte[] password, int maxPdu) {
        byte[] initiate = {0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00,
            (byte) (CONFORMANCE >> 16), (byte) (CONFORMANCE >> 8), (byte) CONFORMANCE, (byte) (maxPdu >> 8), (byte) maxPdu};
        byte[] requirements = {(byte) 0x8A, 0x02, 0x07, (byte) 0x80}; // sender-acse-requirements: authentication
        int userValue = tagSize(initiate.length);
        int body = tagSize(CONTEXT_LN.length) + tagSize(userValue);
        int authValue = 0;
        if (password != null) {
            authValue = tagSize(password.length);
            body += requirements.length + tagSize(MECHANISM_LLS.length) + tagSize(authValue);
        }
        byte[] out = new byte[tagSize(body)];
        int at = header(out, 0, AARQ, body);
        at = put(out, header(out, at, 0xA1, CONTEXT_LN.length), CONTEXT_LN);
        if (password != null) {
            at = put(out, at, requirements);
            at = put(out, header(out, at, 0x8B, MECHANISM_LLS.length), MECHANISM_LLS);
            at = header(out, at, 0xAC, authValue);
            at = put(out, header(out, at, 0x80, password.length), password); // calling-authentication-value: charstring
        }
        at = header(out, at, 0xBE, userValue);
        put(out, header(out, at, 0x04, initiate.length), initiate);
        return out;
    }

    /** Bytes of a BER tag, its length (as {@link Axdr#writeLength}) and {@code n} content bytes. */
    private static int tagSize(int n) { return 1 + (n < 0x80 ? 1 : n <= 0xFF ? 2 : 3) + n; }

    /** Writes tag and length at {@code at}; returns where the content goes. */
    private static int header(byte[] out, int at, int tag, int n) {
        out[at++] = (byte) tag;
        if (n >= 0x80) {
            if (n > 0xFF) {
                out[at++] = (byte) 0x82;
                out[at++] = (byte) (n >> 8);
            } else {
                out[at++] = (byte) 0x81;
            }
        }
        out[at++] = (byte) n;
        return at;
    }

    private static int put(byte[] out, int at, byte[] content) {
        System.arraycopy(content, 0, out, at, content.length);
        return at + content.length;
    }

    /** The parts of an AARE a client acts on. */
    public record Aare(int result, int diagnostic, boolean userDiagnostic, int serverMaxPdu, byte[] passwordOffered) { }

    /** Parses an AARE (or a server's view of an AARQ: the same BER walk) into result, diagnostic and the server's max PDU size. */
    public static Aare aare(byte[] b) throws DlmsException {
        Axdr.Cursor c = new Axdr.Cursor(b);
        int tag = c.u8();
        if (tag != AARE && tag != AARQ) throw DlmsException.syntax(String.format("APDU %02X where an AARE belongs", tag));
        int len = c.length();
        if (len != c.remaining()) throw DlmsException.syntax("AARE length " + len + " with " + c.remaining() + " bytes");
        int result = -1, diagnostic = -1, maxPdu = -1;
        boolean user = false;
        byte[] password = null;
        while (c.remaining() > 0) {
            int t = c.u8();
            byte[] v = c.bytes(c.length());
            switch (t) {
                case 0xA2 -> result = integer(v);
                case 0xA3 -> {
                    if (v.length < 3) throw DlmsException.syntax("a result-source-diagnostic cut short");
                    user = (v[0] & 0xFF) == 0xA1;
                    diagnostic = integer(java.util.Arrays.copyOfRange(v, 2, v.length));
                }
                case 0xAC -> password = v.length >= 2 ? java.util.Arrays.copyOfRange(v, 2, v.length) : new byte[0];
                case 0xBE -> maxPdu = initiateMaxPdu(v);
                default -> { } // context name, titles, requirements, mechanism
            }
        }
        return new Aare(result, diagnostic, user, maxPdu, password);
    }

    /** {@code 02 01 x}: a one-byte INTEGER. */
    private static int integer(byte[] v) throws DlmsException {
        if (v.length != 3 || v[0] != 0x02 || v[1] != 0x01) throw DlmsException.syntax("a result that is no one-byte INTEGER");
        return v[2] & 0xFF;
    }

    /** The max PDU size in an InitiateResponse (08 …) or InitiateRequest (01 …) inside the user-information octet string; -1 when refused. */
    private static int initiateMaxPdu(byte[] v) throws DlmsException {
        Axdr.Cursor c = new Axdr.Cursor(v);
        if (c.u8() != 0x04) throw DlmsException.syntax("user-information is no octet string");
        int n = c.length();
        Axdr.Cursor i = new Axdr.Cursor(c.bytes(n));
        int type = i.u8();
        if (type == CONFIRMED_SERVICE_ERROR) return -1;
        if (type == 0x01) { // InitiateRequest: dedicated-key, response-allowed, quality-of-service (each optional)
            if (i.u8() != 0) i.bytes(i.length());
            if (i.u8() != 0) i.u8();
            if (i.u8() != 0) i.u8();
        } else if (type == 0x08) { // InitiateResponse: negotiated-quality-of-service (optional)
            if (i.u8() != 0) i.u8();
        } else {
            throw DlmsException.syntax(String.format("user-information %02X is no InitiateResponse", type));
        }
        i.u8(); // dlms version
        if (i.u8() != 0x5F || i.u8() != 0x1F || i.u8() != 0x04) throw DlmsException.syntax("no conformance block");
        i.bytes(4);
        return i.u8() << 8 | i.u8();
    }

    /** GET-Request-Normal for attribute {@code attribute} of the object {@code classId}/{@code obis} (6 bytes), no selective access. */
    public static byte[] getNormal(int classId, byte[] obis, int attribute) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(13);
        o.write(GET_REQUEST);
        o.write(NORMAL);
        o.write(INVOKE_ID_AND_PRIORITY);
        o.write(classId >> 8);
        o.write(classId);
        o.writeBytes(obis);
        o.write(attribute);
        o.write(0x00);
        return o.toByteArray();
    }

    /** GET-Request-Next asking for the block after {@code blockNumber}. */
    public static byte[] getNext(long blockNumber) {
        return new byte[] {(byte) GET_REQUEST, NEXT, (byte) INVOKE_ID_AND_PRIORITY,
            (byte) (blockNumber >> 24), (byte) (blockNumber >> 16), (byte) (blockNumber >> 8), (byte) blockNumber};
    }

    /** RLRQ with reason normal. */
    public static byte[] rlrq() { return new byte[] {(byte) RLRQ, 0x03, (byte) 0x80, 0x01, 0x00}; }

    /**
     * One GET-Response: {@code data} (Normal, or the raw data of a block), or {@code accessResult} when the
     * meter refused; for a block, its number and whether it is the last.
     */
    public record GetResponse(boolean block, boolean last, long blockNumber, byte[] data, int accessResult) { }

    public static GetResponse getResponse(byte[] b) throws DlmsException {
        Axdr.Cursor c = new Axdr.Cursor(b);
        int tag = c.u8();
        if (tag == EXCEPTION_RESPONSE || tag == CONFIRMED_SERVICE_ERROR) {
            int x = c.remaining() >= 2 ? (c.u8() << 8 | c.u8()) : -1;
            throw new DlmsException(DlmsException.Reason.SERVICE_ERROR, x, String.format("the meter answered %s %04X", tag == EXCEPTION_RESPONSE ? "exception-response" : "confirmed-service-error", x & 0xFFFF));
        }
        if (tag != GET_RESPONSE) throw DlmsException.syntax(String.format("APDU %02X where a GET-Response belongs", tag));
        int type = c.u8();
        int iid = c.u8();
        if ((iid & 0x0F) != (INVOKE_ID_AND_PRIORITY & 0x0F)) throw DlmsException.syntax("invoke id " + (iid & 0x0F) + " answers no request of ours");
        if (type == NORMAL) {
            int choice = c.u8();
            if (choice == 1) return new GetResponse(false, true, 0, null, c.u8());
            if (choice != 0) throw DlmsException.syntax("Get-Data-Result choice " + choice);
            return new GetResponse(false, true, 0, c.bytes(c.remaining()), 0);
        }
        if (type == WITH_DATABLOCK) {
            boolean last = c.u8() != 0;
            long block = c.u32();
            int choice = c.u8();
            if (choice == 1) return new GetResponse(true, true, block, null, c.u8());
            if (choice != 0) throw DlmsException.syntax("DataBlock-G result choice " + choice);
            byte[] raw = c.bytes(c.length());
            return new GetResponse(true, last, block, raw, 0);
        }
        throw DlmsException.syntax("GET-Response type " + type + " (only Normal and With-Datablock are requested)");
    }
}
