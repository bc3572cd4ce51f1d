package io.drover.security;

import io.drover.protocol.JsonCodec;
import io.drover.protocol.Reply;

import java.security.PrivateKey;

/** Signs a node's replies with the node's own key, so one node cannot answer for another. */
public final class ReplySigner {
    private final PrivateKey key;

    public ReplySigner(PrivateKey key) {
        this.key = key;
    }

    public Reply sign(Reply reply) {
        return reply.withSignature(Signatures.sign(key, JsonCodec.instance().canonical(reply)));
    }
}
