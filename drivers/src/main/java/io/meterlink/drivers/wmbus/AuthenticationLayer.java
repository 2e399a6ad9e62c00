package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.util.Arrays;

/**
 * The authentication and fragmentation layer (EN 13757-7 §6, OMS Vol 2 §6.2, CI 90) of one decoding
 * run: its fields (MCL, MCR, MAC, ML) are kept in the run for the transport layer's MAC check.
 * Stateless.
 */
final class AuthenticationLayer {
    private AuthenticationLayer() {}

    /** Authentication and fragmentation layer (EN 13757-7 §6, OMS Vol 2 §6.2). */
    static void read(DecodeRun r) throws DecodeException {
        r.need(2, "AFL");
        int afll = r.f[r.p + 1] & 0xFF;
        r.need(2 + afll, "AFL");
        int end = r.p + 2 + afll;
        int q = r.p + 2;
        if (afll < 2) throw r.error(Kind.SYNTAX, "AFL too short");
        int fcl = (r.f[q] & 0xFF) | (r.f[q + 1] & 0xFF) << 8;
        q += 2;
        if ((fcl & 0x4000) != 0) { // MF: more fragments follow
            throw r.error(Kind.UNSUPPORTED, "fragmented AFL messages are not supported");
        }
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
