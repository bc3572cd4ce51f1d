package io.drover.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistrationCodecTest {
    private static Registration hello(String identity) {
        return new Registration("hello", identity, "drover", List.of("web"), Map.of("country", "de"), List.of("rpcutil"), "1.0", "h",
                1, 2, 300, null, 0);
    }

    @Test
    void roundTrips() {
        Registration hello = hello("web1.example.com");
        assertEquals(hello, JsonCodec.instance().decodeRegistration(JsonCodec.instance().encode(hello)));
    }

    @Test
    void refusesWhatCouldNotBeARegistration() {
        JsonCodec codec = JsonCodec.instance();
        assertThrows(ProtocolException.class, () -> codec.decodeRegistration(codec.encode(hello("bad identity"))));
        assertThrows(ProtocolException.class, () -> codec.decodeRegistration(codec.encode(new Registration("hello", "a", "drover", null,
                null, null, null, null, 1, 2, 300, null, 0))), "a hello without its inventory");
        ProtocolException kind = assertThrows(ProtocolException.class, () -> codec.decodeRegistration(codec.encode(
                new Registration("takeover", "a", "drover", null, null, null, null, null, 1, 2, 300, null, 0))));
        assertTrue(kind.getMessage().contains("unknown registration kind"), kind.getMessage());
        assertThrows(ProtocolException.class, () -> codec.decodeRegistration("{\"kind\":\"hello\"}".getBytes(StandardCharsets.UTF_8)));
    }
}
