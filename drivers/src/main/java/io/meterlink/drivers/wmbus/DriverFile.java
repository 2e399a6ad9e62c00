package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.MbusRecord;
import io.meterlink.drivers.mbus.MbusValue;
import io.meterlink.drivers.mbus.PrimaryVifTable;
import io.meterlink.drivers.mbus.UndecodedTail;
import io.meterlink.drivers.mbus.VifMeaning;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.StringReader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One wM-Bus driver file: manufacturer knowledge as data (our own YAML format, see docs/wmbus.md
 * "Driver files"). Detection by manufacturer, version, device type and CI; fields taken from
 * generic records (matched by DIF/VIF, storage, tariff, subunit, VIF range) or sliced out of the
 * manufacturer-specific bytes (offset, length, little/big endian, BCD, signed), scaled into a unit;
 * simple formulas between fields; lookup tables for status bytes. Parsed once, then immutable and
 * thread-safe.
 */
public final class DriverFile {
    /** Largest driver file read. */
    static final int MAX_BYTES = 256 * 1024;
    /** The most bytes a driver is given: a message reassembled from AFL fragments with its first frame's headers. */
    static final int LONGEST_TELEGRAM = AflReassembler.MAX_MESSAGE + 256;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Pattern FIELD = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern HEX = Pattern.compile("([0-9A-Fa-f]{2})+");
    private static final Pattern FORMULA = Pattern.compile("\\s*[a-z0-9_.]+(\\s*[-+*/]\\s*[a-z0-9_.]+){1,7}\\s*");
    /** One operand of a formula that matched {@link #FORMULA}, with the operator before it (none for the first). */
    private static final Pattern FORMULA_PART = Pattern.compile("(?:\\s*([-+*/])\\s*)?([a-z0-9_.]+)");
    private static final HexFormat HEXF = HexFormat.of().withUpperCase();

    /** Where the bytes of a slice come from. */
    enum Source { PAYLOAD, MANUFACTURER_DATA, AFTER, REGISTER }

    /** UINT/INT/BCD: the slice's bytes; U12: a 12-bit number, the low byte at the offset and the high nibble in another byte (packed histories). */
    enum Encoding { UINT, INT, BCD, U12 }

    /** Units a driver file may name, each as (canonical unit, factor to it, default quantity or null). */
    record UnitSpec(Unit unit, BigDecimal factor, Quantity quantity) {}

    static final Map<String, UnitSpec> UNITS = Map.ofEntries(
            Map.entry("m3", new UnitSpec(Unit.M3, BigDecimal.ONE, Quantity.VOLUME)),
            Map.entry("l", new UnitSpec(Unit.M3, new BigDecimal("0.001"), Quantity.VOLUME)),
            Map.entry("Wh", new UnitSpec(Unit.WH, BigDecimal.ONE, Quantity.ENERGY)),
            Map.entry("kWh", new UnitSpec(Unit.WH, new BigDecimal("1000"), Quantity.ENERGY)),
            Map.entry("MWh", new UnitSpec(Unit.WH, new BigDecimal("1000000"), Quantity.ENERGY)),
            Map.entry("J", new UnitSpec(Unit.J, BigDecimal.ONE, Quantity.ENERGY)),
            Map.entry("kJ", new UnitSpec(Unit.J, new BigDecimal("1000"), Quantity.ENERGY)),
            Map.entry("MJ", new UnitSpec(Unit.J, new BigDecimal("1000000"), Quantity.ENERGY)),
            Map.entry("GJ", new UnitSpec(Unit.J, new BigDecimal("1000000000"), Quantity.ENERGY)),
            Map.entry("W", new UnitSpec(Unit.W, BigDecimal.ONE, Quantity.POWER)),
            Map.entry("kW", new UnitSpec(Unit.W, new BigDecimal("1000"), Quantity.POWER)),
            Map.entry("m3/h", new UnitSpec(Unit.M3_PER_H, BigDecimal.ONE, Quantity.VOLUME_FLOW)),
            Map.entry("l/h", new UnitSpec(Unit.M3_PER_H, new BigDecimal("0.001"), Quantity.VOLUME_FLOW)),
            Map.entry("°C", new UnitSpec(Unit.CELSIUS, BigDecimal.ONE, Quantity.TEMPERATURE)),
            Map.entry("C", new UnitSpec(Unit.CELSIUS, BigDecimal.ONE, Quantity.TEMPERATURE)),
            Map.entry("K", new UnitSpec(Unit.KELVIN, BigDecimal.ONE, Quantity.TEMPERATURE_DIFFERENCE)),
            Map.entry("bar", new UnitSpec(Unit.BAR, BigDecimal.ONE, Quantity.PRESSURE)),
            Map.entry("V", new UnitSpec(Unit.V, BigDecimal.ONE, Quantity.VOLTAGE)),
            Map.entry("A", new UnitSpec(Unit.A, BigDecimal.ONE, Quantity.CURRENT)),
            Map.entry("Hz", new UnitSpec(Unit.HZ, BigDecimal.ONE, Quantity.FREQUENCY)),
            Map.entry("HCA", new UnitSpec(Unit.HCA, BigDecimal.ONE, Quantity.HEAT_COST_ALLOCATION)),
            Map.entry("s", new UnitSpec(Unit.S, BigDecimal.ONE, null)),
            Map.entry("min", new UnitSpec(Unit.S, new BigDecimal("60"), null)),
            Map.entry("h", new UnitSpec(Unit.S, new BigDecimal("3600"), null)),
            Map.entry("d", new UnitSpec(Unit.S, new BigDecimal("86400"), null)),
            Map.entry("%", new UnitSpec(Unit.PERCENT, BigDecimal.ONE, null)),
            Map.entry("kg", new UnitSpec(Unit.KG, BigDecimal.ONE, Quantity.MASS)),
            Map.entry("none", new UnitSpec(Unit.NONE, BigDecimal.ONE, null)));

    /** One detection rule: every given criterion must hold; an absent one matches anything. */
    record Detect(Set<String> manufacturers, Set<Integer> versions, Set<Integer> deviceTypes, Set<Integer> cis) {
        boolean matches(String man, int version, int type, int ci) {
            return (manufacturers.isEmpty() || manufacturers.contains(man)) && (versions.isEmpty() || versions.contains(version))
                    && (deviceTypes.isEmpty() || deviceTypes.contains(type)) && (cis.isEmpty() || cis.contains(ci));
        }
    }

    /** Matches a generic record: DIB/VIB hex when given, storage/tariff/subunit when given, primary VIF range when given. */
    record RecordMatch(String dib, String vib, Integer storage, Integer tariff, Integer subunit, int vifLow, int vifHigh) {
        boolean matches(MbusRecord r) {
            if (dib != null && !dib.equals(r.dib())) return false;
            if (vib != null && !vib.equals(r.vib())) return false;
            if (storage != null && storage != r.storage()) return false;
            if (tariff != null && tariff != r.tariff()) return false;
            if (subunit != null && subunit != r.subunit()) return false;
            if (vifLow >= 0) {
                int vif = Integer.parseInt(r.vib().substring(0, 2), 16) & 0x7F;
                return vif >= vifLow && vif <= vifHigh;
            }
            return true;
        }
    }

    /** Bytes of a manufacturer-specific payload read as one number. */
    record Slice(Source source, byte[] anchor, int offset, int length, Encoding encoding, boolean bigEndian, long invalid,
                 int nibbleAt, boolean nibbleHigh, Integer plusAt, int register) {}

    /**
     * A manufacturer block of tagged registers (e.g. Apator): after {@code skip} header bytes, each
     * register is a tag byte and then {@code lengths[tag]} bytes; an unknown tag (-1) ends the walk.
     */
    record Registers(boolean manufacturerData, int skip, int[] lengths) {
        /**
         * One walk of a telegram's registers: by tag, where the data of its first register starts, -1 for a tag
         * the walk does not reach (walked once per telegram, however many fields read registers).
         */
        int[] starts(byte[] b, int from, int to, int mfrFrom) {
            int[] at = new int[256];
            Arrays.fill(at, -1);
            int i = manufacturerData ? mfrFrom : from;
            if (i < 0) return at;
            for (i += skip; i < to; ) {
                int t = b[i] & 0xFF, n = lengths[t];
                if (n < 0) break;
                if (at[t] < 0) at[t] = i + 1;
                i += 1 + n;
            }
            return at;
        }
    }

    /** Several values of one layout in a row (a monthly history): names {@code name_first..}, storage counting up. */
    record Repeat(int count, int step, int first) {}

    /** A text for a value: the whole masked value looked up, or each set bit named. */
    record Lookup(long mask, Map<Long, String> values, boolean bits, String none) {
        String apply(long raw) {
            long v = raw & mask;
            if (!bits) return values.getOrDefault(v, String.format("UNKNOWN_%X", v));
            StringBuilder out = new StringBuilder();
            for (Map.Entry<Long, String> e : values.entrySet()) {
                if ((v & e.getKey()) == e.getKey() && e.getKey() != 0) out.append(out.length() == 0 ? "" : " ").append(e.getValue());
            }
            return out.length() == 0 ? none : out.toString();
        }
    }

    /** The field applies only when the byte at {@code offset} of the slice's bytes, masked, equals {@code value} (a flags byte saying what follows). */
    record When(int offset, int mask, int value) {}

    /**
     * {@code a op b [op c …]}, evaluated left to right, each operand a field name or a number.
     *
     * @param operands  the operands as written
     * @param constants per operand its number (parsed when the file was loaded), {@code null} for a field name
     */
    record Formula(List<String> operands, BigDecimal[] constants, String ops) {
        /** The value, or {@code null} when an operand has no value or a division by zero. */
        BigDecimal evaluate(Map<String, BigDecimal> named) {
            BigDecimal v = operand(0, named);
            for (int i = 0; i < ops.length() && v != null; i++) {
                BigDecimal r = operand(i + 1, named);
                if (r == null) return null;
                v = switch (ops.charAt(i)) {
                    case '+' -> v.add(r);
                    case '-' -> v.subtract(r);
                    case '*' -> v.multiply(r);
                    default -> r.signum() == 0 ? null : v.divide(r, MathContext.DECIMAL64);
                };
            }
            return v;
        }

        private BigDecimal operand(int i, Map<String, BigDecimal> named) {
            return constants[i] != null ? constants[i] : named.get(operands.get(i));
        }
    }

    record Field(String name, Quantity quantity, UnitSpec unit, int unitVifAt, BigDecimal scale, int storage, int tariff, int subunit,
                 RecordMatch record, Slice slice, Repeat repeat, Lookup lookup, Formula formula, When when) {}

    private final String name;
    private final String file;
    private final List<Detect> detect;
    private final boolean proprietaryPayload;
    private final Descrambler descrambler;
    private final List<Field> fields;
    /** Known compact-frame formats: meter model ({@link FormatCache#model}) and DIB/VIB bytes. */
    private final List<Map.Entry<String, byte[]>> formats;
    /** The tagged-register layout slices with {@code register:} read, or {@code null}. */
    private final Registers registers;

    /** The tagged-register layout, or {@code null} (for tests). */
    Registers registers() { return registers; }

    private DriverFile(String name, String file, List<Detect> detect, boolean proprietaryPayload, Descrambler descrambler, List<Field> fields,
                       List<Map.Entry<String, byte[]>> formats, Registers registers) {
        this.registers = registers;
        this.formats = List.copyOf(formats);
        this.name = name;
        this.file = file;
        this.detect = List.copyOf(detect);
        this.proprietaryPayload = proprietaryPayload;
        this.descrambler = descrambler;
        this.fields = List.copyOf(fields);
    }

    /** A documented proprietary scrambling of a manufacturer payload, undone before the fields are read. */
    enum Descrambler {
        /**
         * Diehl PRIOS (IZAR radio): a 32-bit LFSR (taps 1, 2, 11, 31) seeded with a published
         * default key XOR the frame's bytes 2–13 as three big-endian words, stepped 8 times per
         * byte from byte 15 on; the low byte of the register is XORed onto the data. The first
         * plain byte is 4B, which tells the right key.
         */
        PRIOS;

        /** The two published PRIOS default keys, each folded to 32 bits (first half XOR second half). */
        private static final long[] PRIOS_KEYS = {0x39BC8A10L ^ 0xE66D83F8L, 0x51728910L ^ 0xE66D83F8L};
        private static final int PRIOS_FROM = 15;

        /** The frame with its scrambled part undone, or {@code null} when no known key gives plaintext. */
        byte[] undo(byte[] f) {
            if (f.length <= PRIOS_FROM) return null;
            for (long k0 : PRIOS_KEYS) {
                long key = k0 ^ be32(f, 2) ^ be32(f, 6) ^ be32(f, 10);
                byte[] out = f.clone();
                for (int i = PRIOS_FROM; i < f.length; i++) {
                    for (int j = 0; j < 8; j++) {
                        long bit = (key >> 1 ^ key >> 2 ^ key >> 11 ^ key >> 31) & 1;
                        key = (key << 1 | bit) & 0xFFFFFFFFL;
                    }
                    out[i] = (byte) (f[i] ^ key);
                    if (i == PRIOS_FROM && (out[i] & 0xFF) != 0x4B) break;
                }
                if ((out[PRIOS_FROM] & 0xFF) == 0x4B) return out;
            }
            return null;
        }

        private static long be32(byte[] b, int at) {
            return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | (b[at + 3] & 0xFFL);
        }
    }

    public String name() { return name; }

    /** Where the driver was read from (a path or {@code builtin:<name>}). */
    public String file() { return file; }

    /** True when the application data after the TPL header is the manufacturer's own layout: no generic records are read from it. */
    public boolean proprietaryPayload() { return proprietaryPayload; }

    /** Puts this driver's known compact-frame formats into {@code cache}, so a compact frame decodes before any full frame is heard. */
    void seed(io.meterlink.drivers.mbus.FormatCache cache) {
        for (Map.Entry<String, byte[]> f : formats) cache.learn(f.getKey(), f.getValue());
    }

    /** True when the driver undoes a proprietary scrambling of a manufacturer CI telegram (it then reads the whole frame). */
    boolean descrambles() { return descrambler != null; }

    /** The manufacturers this driver detects (empty: any). */
    Set<String> manufacturers() {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (Detect d : detect) {
            if (d.manufacturers().isEmpty()) return Set.of();
            out.addAll(d.manufacturers());
        }
        return out;
    }

    boolean matches(String man, int version, int type, int ci) {
        for (Detect d : detect) {
            if (d.matches(man, version, type, ci)) return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- applying

    /**
     * What a driver found in one telegram: its values, and {@code cut} when a value's own bytes were there
     * but a part it needs (the u12 nibble, the {@code plus_at} part) lies outside the telegram: a typed
     * {@code truncated} to count, for the first such value (that field's later values are left out, every
     * other value stands), else {@code null}.
     */
    record Applied(List<DriverValue> values, UndecodedTail cut) {}

    /**
     * The values this driver finds in one telegram.
     *
     * @param b        the (plaintext) bytes holding the application data (for a manufacturer CI: the whole frame)
     * @param from     where the application data starts (after the TPL header, or after a manufacturer CI)
     * @param to       where it ends
     * @param mfrFrom  where manufacturer data starts (after DIF 0F/1F, or {@code from} for a manufacturer CI), -1 when none
     * @param records  the generic records decoded from it
     */
    Applied apply(byte[] b, int from, int to, int mfrFrom, List<MbusRecord> records) {
        if (descrambler != null) {
            b = descrambler.undo(b);
            if (b == null) return new Applied(List.of(), null);
        }
        List<DriverValue> out = new ArrayList<>();
        Map<String, BigDecimal> named = new LinkedHashMap<>();
        UndecodedTail cut = null; // the first value whose bytes were there but a part it needs was not
        int[] registerStarts = null; // the registers walked once, for the first field that reads one
        for (Field f : fields) {
            if (f.formula() != null) {
                BigDecimal v = f.formula().evaluate(named);
                if (v == null) continue;
                emit(out, named, f, f.name(), v.multiply(f.scale()), f.unit(), f.quantity(), f.storage(), true);
            } else if (f.record() != null) {
                for (MbusRecord r : records) {
                    if (!f.record().matches(r)) continue;
                    BigDecimal v = recordNumber(r);
                    if (v == null) break;
                    UnitSpec u = f.unit();
                    Quantity q = f.quantity();
                    boolean generic = r.isReading() && f.unit() == null;
                    if (u == null) {
                        VifMeaning m = r.meaning();
                        u = new UnitSpec(m.unit(), BigDecimal.ONE, m.quantity());
                        if (q == null) q = m.quantity();
                    } else {
                        v = rawNumber(r, v);
                    }
                    emit(out, named, f, f.name(), v.multiply(f.scale()), u, q, (int) Math.min(r.storage(), Integer.MAX_VALUE), !generic);
                    break;
                }
            } else if (f.slice() != null) {
                int base;
                if (f.slice().source() == Source.REGISTER) {
                    if (registerStarts == null) registerStarts = registers.starts(b, from, to, mfrFrom);
                    base = registerStarts[f.slice().register()];
                } else {
                    base = region(f.slice(), b, from, to, mfrFrom);
                }
                if (base < 0) continue;
                if (f.when() != null) {
                    int at = base + f.when().offset();
                    if (at >= to || ((b[at] & 0xFF) & f.when().mask()) != f.when().value()) continue;
                }
                int n = f.repeat() == null ? 1 : f.repeat().count();
                for (int i = 0; i < n; i++) {
                    int at = base + f.slice().offset() + (f.repeat() == null ? 0 : i * f.repeat().step());
                    if (at < from || at + f.slice().length() > to) break; // the telegram ends before this value (a shorter history)
                    Integer plus = f.slice().plusAt();
                    if (!inside(f.slice(), at, from, to) || plus != null && !inside(f.slice(), at + plus, from, to)) {
                        if (cut == null) { // counted once; this field's later values are cut too, the other fields still stand
                            cut = new UndecodedTail(DecodeException.Kind.TRUNCATED,
                                    "driver " + this.name + ": field " + name(f, i) + " needs bytes outside the telegram (nibble_at or plus_at)", "");
                        }
                        break;
                    }
                    Long raw = f.lookup() != null ? unsigned(b, at, f.slice()) : null;
                    String name = name(f, i);
                    int storage = f.storage() + (f.repeat() == null ? 0 : i);
                    if (f.lookup() != null) {
                        if (raw != null) out.add(new DriverValue(this.name, name, null, null, null, f.lookup().apply(raw), storage, f.tariff(), f.subunit(), false));
                        continue;
                    }
                    BigDecimal v = number(b, at, f.slice());
                    if (v != null && plus != null) { // a value sent in two parts (e.g. two half-months of one month)
                        BigDecimal other = number(b, at + plus, f.slice());
                        v = other == null ? null : v.add(other);
                    }
                    if (v == null) continue;
                    UnitSpec u = f.unit();
                    Quantity q = f.quantity();
                    if (f.unitVifAt() >= 0) {
                        int vifAt = base + f.unitVifAt();
                        if (vifAt >= to) continue;
                        VifMeaning m = PrimaryVifTable.lookup(b[vifAt] & 0xFF);
                        if (m.kind() != VifMeaning.Kind.NUMERIC) continue;
                        u = new UnitSpec(m.unit(), m.factor(), m.quantity());
                        if (q == null) q = m.quantity();
                    }
                    emit(out, named, f, name, v.multiply(f.scale()), u, q, storage, true);
                }
            }
        }
        return new Applied(out, cut);
    }

    /** The name of a field's value (with its number when repeated). */
    private static String name(Field f, int i) {
        return f.repeat() == null ? f.name() : f.name() + "_" + (f.repeat().first() + i);
    }

    /** Whether every byte the slice reads for a value at {@code at} (its bytes, the u12 nibble) lies in {@code [from, to)}. */
    private static boolean inside(Slice s, int at, int from, int to) {
        if (at < from || at + s.length() > to) return false;
        return s.encoding() != Encoding.U12 || at + s.nibbleAt() >= from && at + s.nibbleAt() < to;
    }

    private void emit(List<DriverValue> out, Map<String, BigDecimal> named, Field f, String name, BigDecimal v, UnitSpec u,
                      Quantity q, int storage, boolean reading) {
        BigDecimal canonical = u == null ? v : v.multiply(u.factor());
        Quantity quantity = q != null ? q : u == null ? null : u.quantity();
        named.put(name, v);
        out.add(new DriverValue(this.name, name, quantity, u == null ? null : u.unit(), canonical.stripTrailingZeros(), null, storage,
                f.tariff(), f.subunit(), reading && quantity != null));
    }

    private static BigDecimal recordNumber(MbusRecord r) {
        return r.value() instanceof MbusValue.Numeric n ? n.value() : null;
    }

    /** A record's value before its VIF's scaling (for a manufacturer VIF the driver scales itself). */
    private static BigDecimal rawNumber(MbusRecord r, BigDecimal v) {
        BigDecimal f = r.meaning().factor();
        return f == null || f.signum() == 0 ? v : v.divide(f, MathContext.DECIMAL64);
    }

    /** Start of the bytes a slice's offset counts from, or -1 when the telegram has none. */
    private static int region(Slice s, byte[] b, int from, int to, int mfrFrom) {
        switch (s.source()) {
            case PAYLOAD -> { return from; }
            case MANUFACTURER_DATA -> { return mfrFrom; }
            default -> {
                byte[] a = s.anchor();
                outer:
                for (int i = from; i + a.length <= to; i++) {
                    for (int j = 0; j < a.length; j++) {
                        if (b[i + j] != a[j]) continue outer;
                    }
                    return i + a.length;
                }
                return -1;
            }
        }
    }

    private static Long unsigned(byte[] b, int at, Slice s) {
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int k = s.bigEndian() ? i : s.length() - 1 - i;
            v = v << 8 | (b[at + k] & 0xFF);
        }
        return v;
    }

    /** The slice as a number; {@code null} when it holds the invalid marker or a BCD digit above 9. */
    private static BigDecimal number(byte[] b, int at, Slice s) {
        if (s.encoding() == Encoding.U12) {
            int high = (b[at + s.nibbleAt()] & 0xFF) >> (s.nibbleHigh() ? 4 : 0) & 0x0F;
            return BigDecimal.valueOf((b[at] & 0xFF) | high << 8);
        }
        long v = unsigned(b, at, s);
        if (s.invalid() >= 0 && v == s.invalid()) return null;
        switch (s.encoding()) {
            case UINT -> { return BigDecimal.valueOf(v); }
            case INT -> {
                int bits = 8 * s.length();
                long signed = bits >= 64 ? v : (v << (64 - bits)) >> (64 - bits);
                return BigDecimal.valueOf(signed);
            }
            default -> {
                long out = 0;
                for (int shift = 8 * s.length() - 4; shift >= 0; shift -= 4) {
                    int digit = (int) (v >> shift & 0xF);
                    if (digit > 9) return null;
                    out = out * 10 + digit;
                }
                return BigDecimal.valueOf(out);
            }
        }
    }

    // ---------------------------------------------------------------- parsing

    /**
     * Parses one driver file; every problem is added to {@code errors} as {@code file:line: key:
     * message}, and then {@code null} is returned.
     */
    static DriverFile parse(String file, String text, List<ConfigError> errors) {
        Reader r = new Reader(file, errors);
        int before = errors.size();
        if (text.length() > MAX_BYTES) {
            r.error(0, "(file)", "driver file is larger than " + MAX_BYTES / 1024 + " KiB");
            return null;
        }
        Node root;
        try {
            LoaderOptions o = new LoaderOptions();
            o.setMaxAliasesForCollections(10);
            o.setAllowDuplicateKeys(false);
            o.setNestingDepthLimit(20);
            o.setCodePointLimit(MAX_BYTES);
            root = new Yaml(o).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            r.error(m == null ? 0 : m.getLine() + 1, "(yaml)", "not valid YAML: " + e.getProblem());
            return null;
        } catch (YAMLException e) {
            r.error(0, "(yaml)", "not valid YAML");
            return null;
        }
        if (!(root instanceof MappingNode m)) {
            r.error(root == null ? 0 : line(root), "(file)", "a driver file is a mapping (driver:, detect:, fields:)");
            return null;
        }
        Map<String, Node> top = r.mapping(m, "", Set.of("driver", "description", "detect", "payload", "descramble", "fields", "formats",
                "registers"));
        String name = r.string(top, "", "driver", m);
        if (name != null && !NAME.matcher(name).matches()) r.error(line(top.get("driver")), "driver", "must be 1 to 64 lower-case letters, digits, '_', '.' or '-'");
        List<Detect> detect = new ArrayList<>();
        Node dn = top.get("detect");
        if (!(dn instanceof SequenceNode ds) || ds.getValue().isEmpty()) {
            r.error(dn == null ? line(m) : line(dn), "detect", "required: a list of rules (manufacturer, version, device_type, ci)");
        } else {
            for (int i = 0; i < ds.getValue().size(); i++) {
                String key = "detect[" + i + "]";
                if (!(ds.getValue().get(i) instanceof MappingNode dm)) {
                    r.error(line(ds.getValue().get(i)), key, "must be a mapping");
                    continue;
                }
                Map<String, Node> d = r.mapping(dm, key + ".", Set.of("manufacturer", "version", "device_type", "ci"));
                Set<String> men = new java.util.HashSet<>();
                for (String s : r.strings(d, key + ".", "manufacturer")) {
                    if (!s.matches("[A-Z@]{3}")) r.error(line(d.get("manufacturer")), key + ".manufacturer", "must be a three-letter code such as KAM");
                    men.add(s);
                }
                Set<Integer> versions = r.ints(d, key + ".", "version", 0, 255);
                Set<Integer> types = r.ints(d, key + ".", "device_type", 0, 255);
                Set<Integer> cis = r.ints(d, key + ".", "ci", 0, 255);
                if (d.isEmpty()) r.error(line(dm), key, "a rule needs at least one of manufacturer, version, device_type, ci");
                detect.add(new Detect(Set.copyOf(men), versions, types, cis));
            }
        }
        String payload = top.containsKey("payload") ? r.string(top, "", "payload", m) : "records";
        if (payload != null && !payload.equals("records") && !payload.equals("manufacturer")) {
            r.error(line(top.get("payload")), "payload", "must be records (generic records, the default) or manufacturer (the whole payload is the manufacturer's layout)");
        }
        Descrambler descrambler = null;
        if (top.containsKey("descramble")) {
            String d = r.string(top, "", "descramble", m);
            if ("prios".equals(d)) descrambler = Descrambler.PRIOS;
            else r.error(line(top.get("descramble")), "descramble", "must be prios (Diehl PRIOS, for manufacturer CI telegrams)");
        }
        List<Field> fields = new ArrayList<>();
        Node fn = top.get("fields");
        Set<String> seen = new java.util.HashSet<>();
        Set<String> defined = new java.util.HashSet<>();
        if (!(fn instanceof SequenceNode fs) || fs.getValue().isEmpty()) {
            r.error(fn == null ? line(m) : line(fn), "fields", "required: a list of fields");
        } else {
            for (int i = 0; i < fs.getValue().size(); i++) {
                Field f = r.field(fs.getValue().get(i), "fields[" + i + "]", seen, defined);
                if (f != null && f.slice() != null && f.slice().source() == Source.REGISTER && !top.containsKey("registers")) {
                    r.error(line(fs.getValue().get(i)), "fields[" + i + "].slice.register", "the file needs registers: (from, skip, lengths) to find it");
                }
                if (f != null) fields.add(f);
                for (int k = 0; f != null && f.lookup() == null && k < (f.repeat() == null ? 1 : f.repeat().count()); k++) {
                    defined.add(name(f, k)); // a number: what later formulas may use
                }
            }
        }
        List<Map.Entry<String, byte[]>> formats = new ArrayList<>();
        Node fmn = top.get("formats");
        if (fmn != null && !(fmn instanceof SequenceNode)) r.error(line(fmn), "formats", "must be a list of {manufacturer, version, device_type, format}");
        if (fmn instanceof SequenceNode fms) {
            for (int i = 0; i < fms.getValue().size(); i++) {
                String key = "formats[" + i + "]";
                Node item = fms.getValue().get(i);
                if (!(item instanceof MappingNode im)) {
                    r.error(line(item), key, "must be a mapping (manufacturer, version, device_type, format)");
                    continue;
                }
                Map<String, Node> fm = r.mapping(im, key + ".", Set.of("manufacturer", "version", "device_type", "format"));
                String man = r.string(fm, key + ".", "manufacturer", im);
                Integer version = r.intKey(fm, key + ".", "version", 0, 255), type = r.intKey(fm, key + ".", "device_type", 0, 255);
                String hex = r.hex(fm, key + ".", "format");
                if (version == null || type == null || hex == null) {
                    r.error(line(im), key, "needs manufacturer, version, device_type and format (the full frame's DIB/VIB bytes, hex)");
                } else if (man != null) {
                    formats.add(Map.entry(io.meterlink.drivers.mbus.FormatCache.model(man, version, type), HEXF.parseHex(hex)));
                }
            }
        }
        Registers registers = top.containsKey("registers") ? r.registers(top.get("registers")) : null;
        if (errors.size() > before) return null;
        return new DriverFile(name, file, detect, "manufacturer".equals(payload), descrambler, fields, formats, registers);
    }

    static int line(Node n) { return n == null ? 0 : n.getStartMark().getLine() + 1; }

    /** Reads nodes into values, recording {@code file:line: key: message} errors. */
    private record Reader(String file, List<ConfigError> errors) {
        void error(int line, String key, String message) { errors.add(new ConfigError(file, line, key, message)); }

        Map<String, Node> mapping(MappingNode m, String prefix, Set<String> allowed) {
            Map<String, Node> out = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    error(line(t.getKeyNode()), prefix + "(key)", "keys must be plain words");
                    continue;
                }
                if (!allowed.contains(k.getValue())) {
                    error(line(k), prefix + k.getValue(), "unknown key; allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)));
                    continue;
                }
                out.put(k.getValue(), t.getValueNode());
            }
            return out;
        }

        String string(Map<String, Node> m, String prefix, String key, Node parent) {
            Node n = m.get(key);
            if (n == null) {
                error(line(parent), prefix + key, "required");
                return null;
            }
            if (!(n instanceof ScalarNode s) || s.getValue().isEmpty()) {
                error(line(n), prefix + key, "must be a text");
                return null;
            }
            return s.getValue();
        }

        List<String> strings(Map<String, Node> m, String prefix, String key) {
            Node n = m.get(key);
            List<String> out = new ArrayList<>();
            if (n == null) return out;
            List<Node> items = n instanceof SequenceNode s ? s.getValue() : List.of(n);
            for (Node item : items) {
                if (item instanceof ScalarNode s) out.add(s.getValue());
                else error(line(item), prefix + key, "must be a text or a list of texts");
            }
            return out;
        }

        Set<Integer> ints(Map<String, Node> m, String prefix, String key, int min, int max) {
            Set<Integer> out = new java.util.HashSet<>();
            for (String s : strings(m, prefix, key)) {
                Long v = integer(s);
                if (v == null || v < min || v > max) error(line(m.get(key)), prefix + key, "must be a number from " + min + " to " + max + " (0x.. for hex)");
                else out.add(v.intValue());
            }
            return Set.copyOf(out);
        }

        Integer intKey(Map<String, Node> m, String prefix, String key, int min, int max) {
            Node n = m.get(key);
            if (n == null) return null;
            Long v = n instanceof ScalarNode s ? integer(s.getValue()) : null;
            if (v == null || v < min || v > max) {
                error(line(n), prefix + key, "must be a number from " + min + " to " + max + " (0x.. for hex)");
                return null;
            }
            return v.intValue();
        }

        static Long integer(String s) {
            try {
                String t = s.strip().toLowerCase(Locale.ROOT);
                return t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        String hex(Map<String, Node> m, String prefix, String key) {
            Node n = m.get(key);
            if (n == null) return null;
            String s = n instanceof ScalarNode sc ? sc.getValue().replace(" ", "") : "";
            if (!HEX.matcher(s).matches()) {
                error(line(n), prefix + key, "must be hex bytes such as 0C13");
                return null;
            }
            return s.toUpperCase(Locale.ROOT);
        }

        /**
         * @param seen    the names of the fields above (for duplicates)
         * @param defined the names of the numeric values the fields above give (for formulas)
         */
        Field field(Node node, String key, Set<String> seen, Set<String> defined) {
            if (!(node instanceof MappingNode fm)) {
                error(line(node), key, "must be a mapping");
                return null;
            }
            int before = errors.size();
            String p = key + ".";
            Map<String, Node> f = mapping(fm, p, Set.of("name", "quantity", "unit", "unit_vif_at", "scale", "storage", "tariff", "subunit",
                    "record", "slice", "repeat", "lookup", "formula", "when"));
            String name = string(f, p, "name", fm);
            if (name != null && !FIELD.matcher(name).matches()) error(line(f.get("name")), p + "name", "must be lower-case letters, digits and '_', starting with a letter");
            if (name != null && !seen.add(name)) error(line(f.get("name")), p + "name", "field '" + name + "' is defined twice");
            Quantity quantity = null;
            if (f.containsKey("quantity")) {
                String q = string(f, p, "quantity", fm);
                try {
                    quantity = q == null ? null : Quantity.valueOf(q.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    error(line(f.get("quantity")), p + "quantity", "unknown quantity '" + q + "'");
                }
            }
            UnitSpec unit = null;
            if (f.containsKey("unit")) {
                String u = string(f, p, "unit", fm);
                unit = u == null ? null : UNITS.get(u);
                if (u != null && unit == null) error(line(f.get("unit")), p + "unit", "unknown unit '" + u + "'; known: " + String.join(", ", new java.util.TreeSet<>(UNITS.keySet())));
            }
            Integer unitVifAt = intKey(f, p, "unit_vif_at", 0, 255);
            BigDecimal scale = BigDecimal.ONE;
            if (f.containsKey("scale")) {
                try {
                    scale = new BigDecimal(((ScalarNode) f.get("scale")).getValue());
                } catch (RuntimeException e) {
                    error(line(f.get("scale")), p + "scale", "must be a decimal number such as 0.001");
                }
            }
            Integer storage = intKey(f, p, "storage", 0, 1 << 20);
            Integer tariff = intKey(f, p, "tariff", 0, 255);
            Integer subunit = intKey(f, p, "subunit", 0, 255);
            RecordMatch record = f.containsKey("record") ? recordMatch(f.get("record"), p + "record") : null;
            Slice slice = f.containsKey("slice") ? slice(f.get("slice"), p + "slice") : null;
            Repeat repeat = null;
            Map<String, Node> rp = sub(f, p, "repeat", Set.of("count", "step", "first"));
            if (rp != null) {
                Integer count = intKey(rp, p + "repeat.", "count", 1, 64), step = intKey(rp, p + "repeat.", "step", -255, 255);
                Integer first = intKey(rp, p + "repeat.", "first", 0, 1000);
                if (count == null || step == null || step == 0) error(line(f.get("repeat")), p + "repeat", "needs count and a step other than 0 (negative: backwards)");
                else repeat = new Repeat(count, step, first == null ? 1 : first);
            }
            Lookup lookup = f.containsKey("lookup") ? lookup(f.get("lookup"), p + "lookup") : null;
            Formula formula = null;
            if (f.containsKey("formula")) {
                String t = string(f, p, "formula", fm);
                if (t == null || !FORMULA.matcher(t).matches()) {
                    error(line(f.get("formula")), p + "formula", "must be 'a op b' (or 'a op b op c …', left to right) with op one of + - * /"
                            + " and a, b field names or numbers");
                } else {
                    List<String> operands = new ArrayList<>();
                    StringBuilder ops = new StringBuilder();
                    java.util.regex.Matcher mt = FORMULA_PART.matcher(t);
                    while (mt.find()) {
                        if (mt.group(1) != null) ops.append(mt.group(1));
                        operands.add(mt.group(2));
                    }
                    formula = formula(operands, ops.toString(), defined, line(f.get("formula")), p + "formula");
                }
            }
            When when = null;
            Map<String, Node> w = sub(f, p, "when", Set.of("offset", "mask", "value"));
            if (w != null) {
                Integer wo = intKey(w, p + "when.", "offset", 0, 4096), mask = intKey(w, p + "when.", "mask", 0, 255);
                Integer wv = intKey(w, p + "when.", "value", 0, 255);
                if (wo == null || wv == null) error(line(f.get("when")), p + "when", "needs offset and value (mask defaults to 0xFF)");
                else when = new When(wo, mask == null ? 0xFF : mask, wv);
            }
            if (when != null && slice == null) error(line(f.get("when")), p + "when", "only with slice");
            if (slice != null) reach(slice, line(f.get("slice")), p + "slice");
            int sources = (record != null ? 1 : 0) + (slice != null ? 1 : 0) + (formula != null ? 1 : 0);
            if (sources != 1 && errors.size() == before) error(line(fm), key, "needs exactly one of record, slice or formula");
            if (repeat != null && slice == null) error(line(f.get("repeat")), p + "repeat", "only with slice");
            if (lookup != null && slice == null) error(line(f.get("lookup")), p + "lookup", "only with slice");
            if (unitVifAt != null && slice == null) error(line(f.get("unit_vif_at")), p + "unit_vif_at", "only with slice");
            if (slice != null && lookup == null && unit == null && unitVifAt == null) error(line(fm), p + "unit", "required for a number (or unit_vif_at)");
            if (unit != null && unit.quantity() == null && quantity == null) error(line(f.get("unit")), p + "quantity", "required for unit " + ((ScalarNode) f.get("unit")).getValue());
            if (errors.size() > before) return null;
            return new Field(name, quantity, unit, unitVifAt == null ? -1 : unitVifAt, scale, storage == null ? 0 : storage,
                    tariff == null ? 0 : tariff, subunit == null ? 0 : subunit, record, slice, repeat, lookup, formula, when);
        }

        /**
         * The bounds a slice's first value can be checked against before any telegram: every byte it reads
         * (its bytes, the u12 nibble, the plus_at part and its nibble) must lie at or after the start of the
         * payload when it counts from there, and within the longest telegram ({@value #LONGEST_TELEGRAM}
         * bytes) from wherever it counts.
         */
        void reach(Slice s, int line, String key) {
            int nibble = s.encoding() == Encoding.U12 ? s.nibbleAt() : 0;
            int plus = s.plusAt() == null ? 0 : s.plusAt();
            int low = s.offset() + Math.min(0, Math.min(nibble, Math.min(plus, plus + nibble)));
            int high = s.offset() + Math.max(s.length(), Math.max(nibble + 1, Math.max(plus + s.length(), plus + nibble + 1)));
            if (s.source() == Source.PAYLOAD && low < 0) {
                error(line, key, "reads " + -low + " byte(s) before the start of the payload (offset, nibble_at, plus_at)");
            }
            if (high > LONGEST_TELEGRAM) {
                error(line, key, "reads up to byte " + high + " from its start: beyond the longest telegram (" + LONGEST_TELEGRAM + " bytes)");
            }
        }

        /**
         * A formula's operands checked once, when the file is loaded: a number must parse (it is kept
         * parsed), a name must be a numeric field defined above this one (values are computed in order).
         */
        Formula formula(List<String> operands, String ops, Set<String> defined, int line, String key) {
            BigDecimal[] constants = new BigDecimal[operands.size()];
            boolean ok = true;
            for (int i = 0; i < operands.size(); i++) {
                String o = operands.get(i);
                if (Character.isLetter(o.charAt(0))) {
                    if (!defined.contains(o)) {
                        error(line, key, "'" + o + "' is no numeric field defined above this one");
                        ok = false;
                    }
                    continue;
                }
                try {
                    constants[i] = new BigDecimal(o);
                } catch (NumberFormatException e) {
                    error(line, key, "'" + o + "' is not a number");
                    ok = false;
                }
            }
            return ok ? new Formula(List.copyOf(operands), constants, ops) : null;
        }

        /** The keys of the mapping under {@code key}, or {@code null} when absent (an error when it is no mapping). */
        Map<String, Node> sub(Map<String, Node> f, String p, String key, Set<String> allowed) {
            Node n = f.get(key);
            if (n == null) return null;
            if (n instanceof MappingNode m) return mapping(m, p + key + ".", allowed);
            error(line(n), p + key, "must be a mapping (" + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            return null;
        }

        RecordMatch recordMatch(Node n, String key) {
            if (!(n instanceof MappingNode m)) {
                error(line(n), key, "must be a mapping (dif, vif, storage, tariff, subunit, vif_range)");
                return null;
            }
            String p = key + ".";
            Map<String, Node> r = mapping(m, p, Set.of("dif", "vif", "storage", "tariff", "subunit", "vif_range"));
            int low = -1, high = -1;
            if (r.get("vif_range") instanceof SequenceNode s && s.getValue().size() == 2
                    && s.getValue().get(0) instanceof ScalarNode a && s.getValue().get(1) instanceof ScalarNode b
                    && integer(a.getValue()) != null && integer(b.getValue()) != null) {
                low = integer(a.getValue()).intValue();
                high = integer(b.getValue()).intValue();
                if (low < 0 || high > 0x7F || low > high) error(line(s), p + "vif_range", "must be [low, high] within 0x00..0x7F");
            } else if (r.containsKey("vif_range")) {
                error(line(r.get("vif_range")), p + "vif_range", "must be [low, high]");
            }
            if (r.isEmpty()) error(line(m), key, "needs at least one of dif, vif, storage, tariff, subunit, vif_range");
            return new RecordMatch(hex(r, p, "dif"), hex(r, p, "vif"), intKey(r, p, "storage", 0, 1 << 20), intKey(r, p, "tariff", 0, 255),
                    intKey(r, p, "subunit", 0, 255), low, high);
        }

        Slice slice(Node n, String key) {
            if (!(n instanceof MappingNode m)) {
                error(line(n), key, "must be a mapping (from, offset, length, encoding, order)");
                return null;
            }
            String p = key + ".";
            Map<String, Node> s = mapping(m, p, Set.of("from", "after", "offset", "length", "encoding", "order", "invalid", "nibble_at", "nibble",
                    "plus_at", "register"));
            Source source = Source.PAYLOAD;
            byte[] anchor = null;
            if (s.containsKey("after")) {
                String a = hex(s, p, "after");
                if (a != null) anchor = HEXF.parseHex(a);
                source = Source.AFTER;
                if (s.containsKey("from")) error(line(s.get("from")), p + "from", "give from or after, not both");
            } else if (s.containsKey("from")) {
                String f = string(s, p, "from", m);
                if ("manufacturer_data".equals(f)) source = Source.MANUFACTURER_DATA;
                else if (!"payload".equals(f)) error(line(s.get("from")), p + "from", "must be payload or manufacturer_data");
            }
            Integer register = intKey(s, p, "register", 0, 255);
            if (register != null) {
                if (s.containsKey("from") || s.containsKey("after")) error(line(s.get("register")), p + "register", "give register or from/after, not both");
                source = Source.REGISTER;
            }
            Integer offset = intKey(s, p, "offset", 0, 4096), length = intKey(s, p, "length", 1, 8);
            if (offset == null) error(line(m), p + "offset", "required");
            if (length == null) error(line(m), p + "length", "required (1 to 8 bytes)");
            Encoding enc = Encoding.UINT;
            if (s.containsKey("encoding")) {
                String e = string(s, p, "encoding", m);
                try {
                    enc = Encoding.valueOf(String.valueOf(e).toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException x) {
                    error(line(s.get("encoding")), p + "encoding", "must be uint, int, bcd or u12");
                }
            }
            Integer nibbleAt = intKey(s, p, "nibble_at", -16, 16);
            Integer plusAt = intKey(s, p, "plus_at", -255, 255);
            if (plusAt != null && plusAt == 0) error(line(s.get("plus_at")), p + "plus_at", "must not be 0 (the value's own bytes)");
            boolean nibbleHigh = false;
            if (enc == Encoding.U12) {
                if (nibbleAt == null) error(line(m), p + "nibble_at", "required for u12: where the high nibble is, relative to offset");
                String side = s.containsKey("nibble") ? string(s, p, "nibble", m) : null;
                if (!"low".equals(side) && !"high".equals(side)) error(line(m), p + "nibble", "required for u12: low or high");
                nibbleHigh = "high".equals(side);
            } else if (nibbleAt != null || s.containsKey("nibble")) {
                error(line(m), p + "nibble_at", "only with encoding u12");
            }
            boolean big = false;
            if (s.containsKey("order")) {
                String o = string(s, p, "order", m);
                if ("be".equals(o)) big = true;
                else if (!"le".equals(o)) error(line(s.get("order")), p + "order", "must be le (least significant byte first, the default) or be");
            }
            long invalid = -1;
            if (s.containsKey("invalid")) {
                String h = hex(s, p, "invalid");
                if (h != null) invalid = Long.parseUnsignedLong(h, 16);
            }
            if (offset == null || length == null) return null;
            return new Slice(source, anchor, offset, length, enc, big, invalid, nibbleAt == null ? 0 : nibbleAt, nibbleHigh, plusAt,
                    register == null ? -1 : register);
        }

        /** {@code registers: {from, skip, lengths: [{tags: [lo, hi], length, per_low_nibble}]}}. */
        Registers registers(Node n) {
            if (!(n instanceof MappingNode m)) {
                error(line(n), "registers", "must be a mapping (from, skip, lengths)");
                return null;
            }
            Map<String, Node> g = mapping(m, "registers.", Set.of("from", "skip", "lengths"));
            boolean mfr = true;
            if (g.containsKey("from")) {
                String f = string(g, "registers.", "from", m);
                if ("payload".equals(f)) mfr = false;
                else if (!"manufacturer_data".equals(f)) error(line(g.get("from")), "registers.from", "must be payload or manufacturer_data");
            }
            Integer skip = intKey(g, "registers.", "skip", 0, 255);
            int[] lengths = new int[256];
            java.util.Arrays.fill(lengths, -1);
            if (!(g.get("lengths") instanceof SequenceNode ls) || ls.getValue().isEmpty()) {
                error(line(g.getOrDefault("lengths", m)), "registers.lengths", "required: a list of {tags: [low, high], length, per_low_nibble}");
                return null;
            }
            for (int i = 0; i < ls.getValue().size(); i++) {
                String key = "registers.lengths[" + i + "]";
                if (!(ls.getValue().get(i) instanceof MappingNode em)) {
                    error(line(ls.getValue().get(i)), key, "must be a mapping (tags, length, per_low_nibble)");
                    continue;
                }
                Map<String, Node> e = mapping(em, key + ".", Set.of("tags", "length", "per_low_nibble"));
                Set<Integer> tags = ints(e, key + ".", "tags", 0, 255);
                Integer len = intKey(e, key + ".", "length", 0, 255), per = intKey(e, key + ".", "per_low_nibble", 0, 16);
                if (tags.isEmpty() || len == null || tags.size() > 2) {
                    error(line(em), key, "needs tags (one tag or [low, high]) and length (bytes after the tag)");
                    continue;
                }
                int lo = java.util.Collections.min(tags), hi = java.util.Collections.max(tags);
                for (int t = lo; t <= hi; t++) lengths[t] = len + (per == null ? 0 : per * (t & 0x0F));
            }
            return new Registers(mfr, skip == null ? 0 : skip, lengths);
        }

        Lookup lookup(Node n, String key) {
            if (!(n instanceof MappingNode m)) {
                error(line(n), key, "must be a mapping (mask, values or bits, none)");
                return null;
            }
            String p = key + ".";
            Map<String, Node> l = mapping(m, p, Set.of("mask", "values", "bits", "none"));
            Integer mask = intKey(l, p, "mask", 0, Integer.MAX_VALUE);
            boolean bits = l.containsKey("bits");
            Node table = bits ? l.get("bits") : l.get("values");
            if (bits && l.containsKey("values")) error(line(m), key, "give values or bits, not both");
            Map<Long, String> values = new LinkedHashMap<>();
            if (!(table instanceof MappingNode tm)) {
                error(line(m), key, "needs values (value → text) or bits (bit → text)");
            } else {
                for (NodeTuple t : tm.getValue()) {
                    Long k = t.getKeyNode() instanceof ScalarNode ks ? integer(ks.getValue()) : null;
                    if (k == null || !(t.getValueNode() instanceof ScalarNode vs)) {
                        error(line(t.getKeyNode()), key, "entries are number: text");
                        continue;
                    }
                    values.put(k, vs.getValue());
                }
            }
            String none = l.get("none") instanceof ScalarNode ns ? ns.getValue() : "OK";
            return new Lookup(mask == null ? -1L : mask, values, bits, none);
        }
    }
}
