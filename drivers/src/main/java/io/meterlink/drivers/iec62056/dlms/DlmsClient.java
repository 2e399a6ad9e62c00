package io.meterlink.drivers.iec62056.dlms;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * A DLMS/COSEM client association over a confirmed request/response service (the HDLC link with its
 * LLC header): AARQ/AARE, GET with block transfer, RLRQ (IEC 62056-5-3 §6, Green Book §9). A refused
 * association, a refused attribute or a malformed answer is a {@link DlmsException}. Used by one thread.
 */
public final class DlmsClient {
    /** One request, one response APDU (the link below adds and strips its own headers). */
    public interface Exchange {
        byte[] exchange(byte[] apdu) throws IOException, io.meterlink.core.api.driver.DecodeException;
    }

    /** acse-service-user diagnostics for a refused password (IEC 62056-5-3 AARE). */
    private static final int AUTHENTICATION_FAILURE = 13, AUTHENTICATION_REQUIRED = 14;

    private final Exchange link;
    private final int maxBlocks;
    private final int maxBytes;
    private int serverMaxPdu = -1;

    /**
     * @param maxBlocks most blocks of one block transfer accepted (a meter that never says "last" is refused after them)
     * @param maxBytes  most bytes of one value accepted
     */
    public DlmsClient(Exchange link, int maxBlocks, int maxBytes) {
        this.link = link;
        this.maxBlocks = maxBlocks;
        this.maxBytes = maxBytes;
    }

    /** AARQ (low level security with {@code password}, else lowest level), checks the AARE. */
    public void associate(byte[] password, int maxPdu) throws IOException, io.meterlink.core.api.driver.DecodeException {
        byte[] aarq = Apdu.aarq(password, maxPdu);
        Apdu.Aare aare;
        try {
            aare = Apdu.aare(link.exchange(aarq));
        } finally {
            java.util.Arrays.fill(aarq, (byte) 0);
        }
        if (aare.result() != 0) {
            boolean auth = aare.userDiagnostic() && (aare.diagnostic() == AUTHENTICATION_FAILURE || aare.diagnostic() == AUTHENTICATION_REQUIRED);
            throw new DlmsException(auth ? DlmsException.Reason.AUTHENTICATION : DlmsException.Reason.ASSOCIATION_REFUSED, aare.diagnostic(),
                    "the meter refused the association (result " + aare.result() + ", " + (aare.userDiagnostic() ? "acse-service-user" : "acse-service-provider")
                    + " diagnostic " + aare.diagnostic() + ")");
        }
        if (aare.serverMaxPdu() < 0) throw new DlmsException(DlmsException.Reason.ASSOCIATION_REFUSED, -1, "the AARE carries no InitiateResponse");
        serverMaxPdu = aare.serverMaxPdu();
    }

    /** The server's max receive PDU size from the AARE. */
    public int serverMaxPdu() { return serverMaxPdu; }

    /** One attribute's value; a data-access-result other than success throws {@link DlmsException.Reason#DATA_ACCESS}. */
    public DlmsValue get(CosemObject object, int attribute) throws IOException, io.meterlink.core.api.driver.DecodeException {
        Apdu.GetResponse r = Apdu.getResponse(link.exchange(Apdu.getNormal(object.classId(), object.logicalName(), attribute)));
        if (!r.block()) return value(object, attribute, r);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        long expected = 1;
        for (int blocks = 1; ; blocks++) {
            if (r.data() == null) return value(object, attribute, r);
            if (r.blockNumber() != expected) {
                throw new DlmsException(DlmsException.Reason.BLOCK_TRANSFER, -1, "block " + r.blockNumber() + " where block " + expected + " belongs (" + object + ")");
            }
            if (raw.size() + r.data().length > maxBytes) {
                throw new DlmsException(DlmsException.Reason.BLOCK_TRANSFER, -1, "a value of more than " + maxBytes + " bytes (" + object + ")");
            }
            raw.writeBytes(r.data());
            if (r.last()) break;
            if (blocks >= maxBlocks) throw new DlmsException(DlmsException.Reason.BLOCK_TRANSFER, -1, "no last block after " + maxBlocks + " blocks (" + object + ")");
            r = Apdu.getResponse(link.exchange(Apdu.getNext(expected)));
            if (!r.block()) throw DlmsException.syntax("a Normal GET-Response within a block transfer");
            expected++;
        }
        return Axdr.read(raw.toByteArray());
    }

    private static DlmsValue value(CosemObject object, int attribute, Apdu.GetResponse r) throws DlmsException {
        if (r.data() == null) {
            throw new DlmsException(DlmsException.Reason.DATA_ACCESS, r.accessResult(),
                    "attribute " + attribute + " of " + object + ": data-access-result " + r.accessResult() + " (" + accessResult(r.accessResult()) + ")");
        }
        return Axdr.read(r.data());
    }

    /** The Data-Access-Result names of IEC 62056-5-3 for the codes meters commonly send. */
    static String accessResult(int code) {
        return switch (code) {
            case 1 -> "hardware-fault";
            case 2 -> "temporary-failure";
            case 3 -> "read-write-denied";
            case 4 -> "object-undefined";
            case 9 -> "object-class-inconsistent";
            case 11 -> "object-unavailable";
            case 12 -> "type-unmatched";
            case 13 -> "scope-of-access-violated";
            case 14 -> "data-block-unavailable";
            case 15 -> "long-get-aborted";
            case 16 -> "no-long-get-in-progress";
            case 250 -> "other-reason";
            default -> "code " + code;
        };
    }

    /** RLRQ; the RLRE is read and not judged (many meters leave it out and go on to DISC). */
    public void release() throws IOException {
        try {
            link.exchange(Apdu.rlrq());
        } catch (io.meterlink.core.api.driver.DecodeException e) {
            // the disconnect follows either way
        }
    }
}
