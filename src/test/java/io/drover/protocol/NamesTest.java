package io.drover.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesTest {
    @Test
    void printableEscapesBidiControls() {
        // "alice" followed by a right-to-left override would display as anything the attacker likes.
        assertEquals("mallory\\u202eecila", Names.printable("mallory\u202eecila"));
        for (int c = 0x202a; c <= 0x202e; c++) {
            assertEquals(String.format("\\u%04x", c), Names.printable(String.valueOf((char) c)));
        }
        for (int c = 0x2066; c <= 0x2069; c++) {
            assertEquals(String.format("\\u%04x", c), Names.printable(String.valueOf((char) c)));
        }
    }

    @Test
    void printableEscapesZeroWidthAndOtherFormatCharacters() {
        for (int c = 0x200b; c <= 0x200f; c++) {
            assertEquals("a" + String.format("\\u%04x", c) + "b", Names.printable("a" + (char) c + "b"));
        }
        assertEquals("\\ufeffalice", Names.printable("\ufeffalice"));
        assertEquals("a\\u2028b\\u2029c", Names.printable("a\u2028b\u2029c"), "line and paragraph separators");
        assertEquals("a\\x85b", Names.printable("a\u0085b"), "C1 control characters");
        assertEquals("a\\x1b[31mb", Names.printable("a\u001b[31mb"), "terminal escapes");
        assertEquals("a\\ud800b", Names.printable("a\ud800b"), "a lone surrogate");
    }

    @Test
    void printableKeepsOrdinaryTextIncludingNonAscii() {
        assertEquals("jörg@ops1.example.com", Names.printable("jörg@ops1.example.com"));
        assertEquals("deploy \uD83D\uDE80 bot", Names.printable("deploy \uD83D\uDE80 bot"), "a character outside the BMP stays whole");
    }

    @Test
    void printableCapsLengthWithoutSplittingACharacter() {
        String capped = Names.printable("\uD83D\uDE80".repeat(100));
        assertTrue(capped.endsWith("..."), capped);
        String body = capped.substring(0, capped.length() - 3);
        assertFalse(Character.isHighSurrogate(body.charAt(body.length() - 1)), "no half of a surrogate pair at the cut");
        assertEquals(256, Names.printable("x".repeat(256), 256).length());
        assertEquals(259, Names.printable("x".repeat(300), 256).length());
    }
}
