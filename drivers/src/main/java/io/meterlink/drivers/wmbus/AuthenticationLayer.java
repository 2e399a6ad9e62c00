package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.util.Arrays;

/**
 * The authentication and fragmentation layer (EN 13757-7 §6, OMS Vol 2 §6.2, CI 90) of one decoding
 * run: its fields (MCL, MCR, MAC, ML) are kept in the run for the transport layer's MAC check, which
 * covers the whole message; fragments are reassembled by the run's {@link AflReassembler}. Stateless.
 */
final class AuthenticationLayer {
    private AuthenticationLayer() {}

    /**
     * Authentication and fragmentation layer (EN 13757-7 §6, OMS Vol 2 §6.2). A fragment of a longer
     * message (MF set, or the rest of a message in progress) goes to the run's {@link AflReassembler}:
     *
     * @return false when the fragment was held and the message is not complete yet; true when the
     *         run goes on, with {@code r.f} the whole message when this fragment completed one
     */
    static boolean read(DecodeRun r) throws DecodeException {
        int aflAt = r.p;
        fields(r);
        int fcl = (r.f[aflAt + 2] & 0xFF) | (r.f[aflAt + 3] & 0xFF) << 8;
        boolean more = (fcl & 0x4000) != 0, first = (fcl & 0x2000) != 0; // MF; MCLP: the first fragment carries the message control
        if (r.fragments == null) {
            if (more) throw r.error(Kind.UNSUPPORTED, "fragmented AFL message and no reassembly here");
            return true;
        }
        AflReassembler.Message m = r.fragments.offer(r.f, aflAt, r.p, fcl & 0xFF, more, first, r.meter());
        if (m == AflReassembler.ALONE) return true;
        if (m == null) return false;
        r.f = m.bytes();
        r.p = m.aflAt();
        r.reassembled = true;
        fields(r); // the first fragment's MCL, MCR, MAC, ML now describe the whole message
        if (r.aflMl != null) {
            int ml = (r.aflMl[0] & 0xFF) | (r.aflMl[1] & 0xFF) << 8;
            if (ml != r.f.length - r.p) {
                throw r.error(Kind.SYNTAX, "AFL message length " + ml + " but the fragments hold " + (r.f.length - r.p) + " bytes");
            }
        }
        return true;
    }

    /** The AFL at {@code r.p}: its fields into the run, {@code r.p} after it. */
    private static void fields(DecodeRun r) throws DecodeException {
        r.need(2, "AFL");
        int afll = r.f[r.p + 1] & 0xFF;
        r.need(2 + afll, "AFL");
        int end = r.p + 2 + afll;
        int q = r.p + 2;
        if (afll < 2) throw r.error(Kind.SYNTAX, "AFL too short");
        int fcl = (r.f[q] & 0xFF) | (r.f[q + 1] & 0xFF) << 8;
        q += 2;
        r.aflMcl = r.aflMcr = r.aflMac = r.aflMl = null;
        int macLen = 0;
        if ((fcl & 0x2000) != 0) { // MCLP
            if (q + 1 > end) throw r.error(Kind.SYNTAX, "AFL field overrun");
            r.aflMcl = Arrays.copyOfRange(r.f, q, q + 1);
            macLen = switch (r.f[q] & 0x0F) { // OMS Vol 2 Table 23: authentication type
                case 0 -> 0;
                case 3 -> 2;
                case 4 -> 4;
                case 5 -> 8;
                case 6 -> 12;
                case 7 -> 16;
                default -> throw r.error(Kind.UNSUPPORTED, "AFL authentication type " + (r.f[q] & 0x0F) + " not supported");
            };
            q += 1;
        }
        if ((fcl & 0x0200) != 0) q += 2; // KIP: key information
        if ((fcl & 0x0800) != 0) { // MCRP
            if (q + 4 > end) throw r.error(Kind.SYNTAX, "AFL field overrun");
            r.aflMcr = Arrays.copyOfRange(r.f, q, q + 4);
            q += 4;
        }
        if ((fcl & 0x0400) != 0) { // MACP
            if (q + macLen > end || macLen == 0) throw r.error(Kind.SYNTAX, "AFL MAC field overrun");
            r.aflMac = Arrays.copyOfRange(r.f, q, q + macLen);
            q += macLen;
        }
        if ((fcl & 0x1000) != 0) { // MLP
            if (q + 2 > end) throw r.error(Kind.SYNTAX, "AFL field overrun");
            r.aflMl = Arrays.copyOfRange(r.f, q, q + 2);
            q += 2;
        }
        if (q > end) throw r.error(Kind.SYNTAX, "AFL field overrun");
        r.p = end;
    }
}
