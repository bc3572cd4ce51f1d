package io.drover.security;

import io.drover.protocol.JsonCodec;
import io.drover.protocol.Reply;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Signs replies with the key of the node that sends them, attaching its certificate and the digest of the
 * request answered, so a runner can tell which node answered and to exactly which request. One signer serves
 * every node of a host (one for an agent, thousands for an emulated fleet).
 */
public final class ReplySigner {
    private final Map<String, Node> nodes;

    /** A node's certificate and its key, ready to sign. */
    private record Node(String certificate, Signatures.SigningKey key) {
    }

    private ReplySigner(Map<String, Node> nodes) {
        this.nodes = nodes;
    }

    /** A signer for the given nodes, found by identity. */
    public static ReplySigner of(Collection<NodeCredentials> credentials) {
        Map<String, Node> byIdentity = new HashMap<>();
        for (NodeCredentials node : credentials) {
            byIdentity.put(node.identity(), new Node(node.certificate().encoded(), new Signatures.SigningKey(node.key())));
        }
        return new ReplySigner(Map.copyOf(byIdentity));
    }

    /**
     * The reply with {@code requestDigest}, its sender's certificate and signature. A sender without credentials
     * gets the digest only: the runner rejects it as unsigned, which is right for a node nobody enrolled.
     */
    public Reply sign(Reply reply, String requestDigest) {
        Node node = nodes.get(reply.sender());
        Reply bound = reply.withAuthentication(requestDigest, node == null ? null : node.certificate(), null);
        if (node == null) {
            return bound;
        }
        return bound.withAuthentication(requestDigest, bound.certificate(), node.key().sign(JsonCodec.instance().canonical(bound)));
    }
}
