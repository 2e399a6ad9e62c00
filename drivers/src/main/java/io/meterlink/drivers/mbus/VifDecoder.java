package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses one value information block (EN 13757-3 §6.4): the VIF, the plain-text unit of VIF 7C/FC,
 * the FB/FD extension tables, manufacturer VIF 7F/FF and the combinable VIFEs. Pure and thread-safe.
 */
final class VifDecoder {
    private VifDecoder() {}

    /** What the VIB says, with the combinable extensions that changed its meaning and a record error. */
    record Vib(VifMeaning meaning, List<String> modifiers, String error) {}

    /** The VIB of a primary VIF without extension: the same every time, made once. */
    private static final Vib[] PRIMARY = new Vib[0x80];

    static {
        for (int v = 0; v < 0x80; v++) {
            if (v != 0x7C && v != 0x7B && v != 0x7D) PRIMARY[v] = new Vib(PrimaryVifTable.lookup(v), List.of(), null);
        }
    }

    static Vib decode(ByteCursor c, boolean msbFirst) throws DecodeException {
        int vif = c.next();
        if (vif < 0x80 && PRIMARY[vif] != null) return PRIMARY[vif]; // most records: one VIF byte, nothing to combine
        int low = vif & 0x7F;
        List<Integer> vifes = new ArrayList<>();
        VifMeaning m;
        int combinableFrom = 0;
        if (low == 0x7C) { // §6.4.6 plain text VIF: length byte and ASCII unit sent last char first, then VIFEs (as libmbus reads it)
            int len = c.next();
            int at = c.take(len);
            byte[] s = DataRecordParser.field(c.data, at, len, !msbFirst);
            String unit = new String(s, StandardCharsets.ISO_8859_1);
            m = new VifMeaning(VifMeaning.Kind.PLAIN_TEXT, null, null, java.math.BigDecimal.ONE, "plain_text", unit);
            readVifes(c, vif, vifes);
        } else {
            readVifes(c, vif, vifes);
            if (vif == 0xFB || vif == 0xFD) { // §6.4.4 extension tables: first VIFE is the code, the rest combinable
                m = vif == 0xFB ? ExtensionVifTables.lookupFb(vifes.get(0)) : ExtensionVifTables.lookupFd(vifes.get(0));
                combinableFrom = 1;
            } else if (low == 0x7B || low == 0x7D) { // FB/FD code without the extension bit: nothing follows
                return new Vib(VifMeaning.unsupported(String.format("VIF %02X without extension", vif)), List.of(), null);
            } else if (vif == 0xEF) { // E110 1111: reserved for a third extension table, its code is the first VIFE
                m = VifMeaning.unsupported(String.format("reserved VIF EF %02X (third extension table)", vifes.get(0) & 0x7F));
                combinableFrom = 1;
            } else {
                m = PrimaryVifTable.lookup(vif);
            }
        }
        if (m.kind() == VifMeaning.Kind.MANUFACTURER && combinableFrom == 0) {
            return new Vib(m, vifes.isEmpty() ? List.of() : List.of("manufacturer specific VIFEs"), null);
        }
        List<String> modifiers = List.of(); // most records have none: no list allocated then
        String error = null;
        for (int i = combinableFrom; i < vifes.size(); i++) {
            int e = vifes.get(i) & 0x7F;
            if (e == 0x7F) { // §6.4.5 E111 1111: the remaining VIFEs are manufacturer specific
                modifiers = add(modifiers, "manufacturer specific VIFEs");
                break;
            }
            if (e == 0x7C && i + 1 < vifes.size()) { // E111 1100: the next VIFE is from the combinable extension table
                modifiers = add(modifiers, CombinableVifes.extension(vifes.get(++i) & 0x7F));
                continue;
            }
            CombinableVifes.Applied a = CombinableVifes.apply(m, e);
            m = a.meaning();
            if (a.modifier() != null) modifiers = add(modifiers, a.modifier());
            if (a.error() != null) error = a.error();
        }
        return new Vib(m, modifiers, error);
    }

    private static List<String> add(List<String> list, String s) {
        List<String> out = list.isEmpty() ? new ArrayList<>(2) : list;
        out.add(s);
        return out;
    }

    private static void readVifes(ByteCursor c, int vif, List<Integer> vifes) throws DecodeException {
        int v = vif;
        while ((v & 0x80) != 0) {
            if (vifes.size() == DataRecordParser.MAX_EXTENSIONS) throw c.error(Kind.SYNTAX, "more than 10 VIFEs");
            v = c.next();
            vifes.add(v);
        }
    }
}
