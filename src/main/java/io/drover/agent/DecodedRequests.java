package io.drover.agent;

import io.drover.protocol.JsonCodec;
import io.drover.protocol.Request;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recently decoded request bodies. A host serving many nodes (the sandbox, the emulator) receives the same
 * broadcast body once per node; decoding it once serves them all. Keyed by the exact bytes, so a changed body
 * is decoded (and later verified) on its own.
 */
final class DecodedRequests {
    private static final int CAPACITY = 256;

    private final Map<ByteBuffer, Request> recent = new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Request> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The request in {@code body}; throws {@link io.drover.protocol.ProtocolException} when malformed. */
    Request decode(byte[] body) {
        ByteBuffer key = ByteBuffer.wrap(body);
        synchronized (recent) {
            Request known = recent.get(key);
            if (known != null) {
                return known;
            }
        }
        Request request = JsonCodec.instance().decodeRequest(body);
        synchronized (recent) {
            recent.put(key, request);
        }
        return request;
    }
}
