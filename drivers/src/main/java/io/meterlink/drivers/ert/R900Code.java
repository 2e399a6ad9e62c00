package io.meterlink.drivers.ert;

/**
 * The R900 payload code: 16 data symbols of 5 bits and 5 Reed-Solomon parity symbols over GF(32)
 * (field polynomial x^5+x^2+1, generator 2), a code shortened from length 31 whose roots are
 * α^29, α^30, α^0, α^1, α^2; each symbol is sent as two base-6 digits, each digit as 4 chips with two
 * of them on. Corrects up to two symbol errors. Pure, thread-safe.
 */
public final class R900Code {
    public static final int DATA_SYMBOLS = 16;
    public static final int PARITY_SYMBOLS = 5;
    public static final int SYMBOLS = DATA_SYMBOLS + PARITY_SYMBOLS;
    /** Digits of a payload: two per symbol. */
    public static final int DIGITS = SYMBOLS * 2;
    private static final int N = 31;
    private static final int FIRST_ROOT = 29;
    /** Chips of each base-6 digit, first chip in the high bit: 0011, 0101, 0110, 1100, 1010, 1001. */
    static final int[] DIGIT_CHIPS = {0b0011, 0b0101, 0b0110, 0b1100, 0b1010, 0b1001};

    private static final int[] EXP = new int[2 * N];
    private static final int[] LOG = new int[32];
    private static final int[] GENERATOR; // coefficients, highest degree first, monic, degree 5

    static {
        int x = 1;
        for (int i = 0; i < N; i++) {
            EXP[i] = x;
            EXP[i + N] = x;
            LOG[x] = i;
            x <<= 1;
            if ((x & 32) != 0) x ^= 0b100101;
        }
        int[] g = {1};
        for (int k = 0; k < PARITY_SYMBOLS; k++) {
            int root = EXP[(FIRST_ROOT + k) % N];
            int[] next = new int[g.length + 1];
            for (int i = 0; i < g.length; i++) {
                next[i] ^= g[i];
                next[i + 1] ^= mul(g[i], root);
            }
            g = next;
        }
        GENERATOR = g;
    }

    private R900Code() {}

    static int mul(int a, int b) { return a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]]; }

    private static int div(int a, int b) { return a == 0 ? 0 : EXP[(LOG[a] - LOG[b] + N) % N]; }

    private static int pow(int e) { return EXP[((e % N) + N) % N]; }

    /** The codeword power of symbol {@code i} of a 21-symbol packet: data at x^30..x^15, parity at x^4..x^0. */
    private static int power(int i) { return i < DATA_SYMBOLS ? N - 1 - i : SYMBOLS - 1 - i; }

    /** 21 symbols for 80 data bits (10 bytes, big-endian). */
    public static int[] encode(byte[] data) {
        int[] s = new int[SYMBOLS];
        for (int i = 0; i < DATA_SYMBOLS; i++) s[i] = (int) ErtChecks.bits(data, i * 5, 5);
        // remainder of the data polynomial (degree 30..15) divided by the generator
        int[] rem = new int[N];
        for (int i = 0; i < DATA_SYMBOLS; i++) rem[i] = s[i];
        for (int i = 0; i < N - PARITY_SYMBOLS; i++) {
            int c = rem[i];
            if (c == 0) continue;
            for (int j = 0; j < GENERATOR.length; j++) rem[i + j] ^= mul(GENERATOR[j], c);
        }
        System.arraycopy(rem, N - PARITY_SYMBOLS, s, DATA_SYMBOLS, PARITY_SYMBOLS);
        return s;
    }

    private static int[] syndromes(int[] s) {
        int[] out = new int[PARITY_SYMBOLS];
        for (int k = 0; k < PARITY_SYMBOLS; k++) {
            int v = 0;
            for (int i = 0; i < SYMBOLS; i++) {
                if (s[i] != 0) v ^= mul(s[i], pow((FIRST_ROOT + k) * power(i)));
            }
            out[k] = v;
        }
        return out;
    }

    private static boolean zero(int[] v) {
        for (int x : v) if (x != 0) return false;
        return true;
    }

    /** Corrects {@code s} (21 symbols, 0..31) in place: the number of symbols corrected (0..2), or -1 when it cannot be corrected (then {@code s} is unchanged). */
    public static int correct(int[] s) {
        int[] S = syndromes(s);
        if (zero(S)) return 0;
        int det = mul(S[1], S[1]) ^ mul(S[0], S[2]);
        if (det != 0) {
            int l1 = div(mul(S[2], S[1]) ^ mul(S[0], S[3]), det);
            int l2 = div(mul(S[1], S[3]) ^ mul(S[2], S[2]), det);
            int a = -1, b = -1;
            for (int i = 0; i < SYMBOLS; i++) {
                int x = pow(power(i));
                if ((mul(x, x) ^ mul(l1, x) ^ l2) == 0) {
                    if (a < 0) a = i; else b = i;
                }
            }
            if (a >= 0 && b >= 0) {
                int x1 = pow(power(a)), x2 = pow(power(b));
                int a1 = pow(FIRST_ROOT * power(a)), a2 = pow(FIRST_ROOT * power(b));
                int y1 = div(S[1] ^ mul(S[0], x2), mul(a1, x1 ^ x2));
                int y2 = div(S[0] ^ mul(y1, a1), a2);
                if (tryFix(s, new int[] {a, b}, new int[] {y1, y2})) return 2;
            }
            return -1;
        }
        if (S[0] == 0) return -1;
        int x = div(S[1], S[0]);
        for (int i = 0; i < SYMBOLS; i++) {
            if (pow(power(i)) == x) {
                int y = div(S[0], pow(FIRST_ROOT * power(i)));
                return tryFix(s, new int[] {i}, new int[] {y}) ? 1 : -1;
            }
        }
        return -1;
    }

    private static boolean tryFix(int[] s, int[] at, int[] by) {
        int[] t = s.clone();
        for (int k = 0; k < at.length; k++) {
            if (by[k] == 0) return false;
            t[at[k]] ^= by[k];
        }
        if (!zero(syndromes(t))) return false;
        System.arraycopy(t, 0, s, 0, s.length);
        return true;
    }

    /** The 80 data bits of 21 (corrected) symbols, as 10 bytes. */
    public static byte[] data(int[] s) {
        byte[] out = new byte[10];
        for (int i = 0; i < DATA_SYMBOLS; i++) ErtChecks.putBits(out, i * 5, 5, s[i]);
        return out;
    }

    /** The 42 base-6 digits of 21 symbols, high digit first. */
    public static int[] digits(int[] s) {
        int[] d = new int[DIGITS];
        for (int i = 0; i < SYMBOLS; i++) {
            d[2 * i] = s[i] / 6;
            d[2 * i + 1] = s[i] % 6;
        }
        return d;
    }
}
