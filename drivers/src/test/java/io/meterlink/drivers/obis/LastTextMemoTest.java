package io.meterlink.drivers.obis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LastTextMemoTest {
    @Test
    void computesAgainOnlyWhenTheInputChanges_andKeepsANullResult() {
        List<String> calls = new ArrayList<>();
        LastTextMemo m = new LastTextMemo(s -> {
            calls.add(s);
            return s.startsWith("x") ? null : s.toUpperCase();
        });
        assertEquals("AB", m.apply("ab"));
        assertEquals("AB", m.apply("ab"));
        assertNull(m.apply("xy"));
        assertNull(m.apply("xy"));
        assertEquals("AB", m.apply("ab"));
        assertEquals(List.of("ab", "xy", "ab"), calls);
    }
}
