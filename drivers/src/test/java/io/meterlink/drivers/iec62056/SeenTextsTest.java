package io.meterlink.drivers.iec62056;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class SeenTextsTest {
    @Test
    void onlyShortTextsAreKept_longOnesAreMadePerCall_withTheSameText() {
        SeenTexts<Integer> seen = new SeenTexts<>(16, 8, String::length);
        byte[] shortText = "1.8.1".getBytes(StandardCharsets.ISO_8859_1);
        assertSame(seen.of(shortText, 0, shortText.length), seen.of(shortText, 0, shortText.length));
        byte[] longText = "x".repeat(9).getBytes(StandardCharsets.ISO_8859_1);
        SeenTexts.Entry<Integer> a = seen.of(longText, 0, longText.length), b = seen.of(longText, 0, longText.length);
        assertNotSame(a, b, "a text above the limit is never stored");
        assertEquals("xxxxxxxxx", a.text());
        assertEquals(9, a.meaning());
        assertEquals(a.text(), b.text());
    }
}
