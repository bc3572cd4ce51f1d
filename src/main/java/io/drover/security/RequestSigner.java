package io.drover.security;

import io.drover.protocol.JsonCodec;
import io.drover.protocol.Request;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;

/** Signs a caller's requests with its Ed25519 key; the caller's name is the key's name. */
public final class RequestSigner {
    private final String caller;
    private final Signatures.SigningKey key;

    public RequestSigner(String caller, PrivateKey key) {
        this.caller = KeyNames.requireKeyName(caller);
        this.key = new Signatures.SigningKey(key);
    }

    /** The signer for {@code DIR/NAME.key}: caller NAME. */
    public static RequestSigner load(Path keyFile) throws IOException {
        String file = keyFile.getFileName().toString();
        String name = file.endsWith(".key") ? file.substring(0, file.length() - 4) : file;
        return new RequestSigner(name, KeyFiles.readPrivate(keyFile));
    }

    public String caller() {
        return caller;
    }

    /** The request signed over its canonical form; its caller must be this signer's. */
    public Request sign(Request request) {
        if (!caller.equals(request.caller())) {
            throw new IllegalArgumentException("Request caller " + request.caller() + " is not the signer " + caller);
        }
        return request.withSignature(key.sign(JsonCodec.instance().canonical(request)));
    }
}
