package io.meterlink.drivers.obis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LastTextMemoTest {
    private final List<String> calls = new ArrayList<>();
    private final LastTextMemo memo = new LastTextMemo(s -> {
        calls.add(s);
        return s.startsWith("x") ? null : s.toUpperCase();
    });

    @Test
    void aRepeatedText_isComputedOnce_andANullResultIsKept() {
        assertEquals("AB", memo.apply("ab"));
        assertNull(memo.apply("xy"));
        assertEquals("AB", memo.apply("ab"));
        assertNull(memo.apply("xy"));
        assertEquals(List.of("ab", "xy"), calls);
    }

    @Test
    void twoTextsOfOneSlot_pushEachOtherOut_butTheResultStaysRight() {
        String a = "t0";
        String b = null;
        for (int i = 1; b == null; i++) { // another text that falls into a's slot (8 slots by hash)
            String c = "t" + i;
            if (slot(c) == slot(a)) b = c;
        }
        assertEquals("T0", memo.apply(a));
        assertEquals(b.toUpperCase(), memo.apply(b));
        assertEquals("T0", memo.apply(a));
        assertEquals(List.of(a, b, a), calls);
    }

    private static int slot(String s) {
        int h = s.hashCode();
        return (h ^ h >>> 7) & 7;
    }
}
