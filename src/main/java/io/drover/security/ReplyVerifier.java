package io.drover.security;

import io.drover.protocol.JsonCodec;
import io.drover.protocol.Reply;

import java.security.PublicKey;
import java.util.Optional;

/** Checks that a reply was signed by the node it claims to come from, using the runner's node keys. */
public final class ReplyVerifier {
    private final TrustedKeys nodes;

    public ReplyVerifier(TrustedKeys nodes) {
        this.nodes = nodes;
    }

    /** What is wrong with the reply's signature, or {@code null} when it is good. */
    public String problem(Reply reply) {
        if (reply.signature() == null) {
            return "unsigned reply; node keys are configured, so every node must sign its replies";
        }
        Optional<PublicKey> key = nodes.find(reply.sender());
        if (key.isEmpty()) {
            return "no node key for " + reply.sender() + " among the trusted node keys";
        }
        if (!Signatures.verify(key.get(), JsonCodec.instance().canonical(reply), reply.signature())) {
            return "reply signature does not verify for " + reply.sender() + " (another node answering for it, or altered)";
        }
        return null;
    }
}
