package io.drover.security;

import io.drover.protocol.JsonCodec;
import io.drover.protocol.Request;

import java.security.PublicKey;
import java.util.Optional;

/** Checks that a request was signed by the trusted caller it names. */
public final class RequestVerifier {
    private final TrustedKeys callers;

    public RequestVerifier(TrustedKeys callers) {
        this.callers = callers;
    }

    /** Why the request must be refused, or {@code null} when its signature is good. */
    public String refusal(Request request) {
        if (request.signature() == null) {
            return "unsigned request; this node accepts only requests signed by a trusted caller";
        }
        Optional<PublicKey> key = callers.find(request.caller());
        if (key.isEmpty()) {
            return "unknown caller " + io.drover.protocol.Names.printable(request.caller())
                    + "; its public key is not among this node's trusted callers";
        }
        if (!Signatures.verify(key.get(), JsonCodec.instance().canonical(request), request.signature())) {
            return "signature does not verify for caller " + io.drover.protocol.Names.printable(request.caller(), 256)
                    + " (forged or altered in transit)";
        }
        return null;
    }

    /**
     * Signs and verifies once with a throwaway key, so the JDK's Ed25519 code is loaded before the first real
     * request: that first request would otherwise take a tenth of a second longer, and stretch a discovery.
     */
    public void warmUp() {
        java.security.KeyPair pair = KeyFiles.generate();
        byte[] data = {1, 2, 3};
        Signatures.verify(pair.getPublic(), data, Signatures.sign(pair.getPrivate(), data));
    }
}
