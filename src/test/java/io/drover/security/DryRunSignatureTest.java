package io.drover.security;

import io.drover.protocol.JsonCodec;
import io.drover.protocol.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A relay can neither turn a signed dry run into a real request nor a real request into a dry run. */
class DryRunSignatureTest {
    @TempDir
    Path dir;

    @Test
    void theDryRunMarkIsCoveredByTheSignature() throws Exception {
        Path key = KeyFiles.create(dir, "alice");
        RequestSigner signer = RequestSigner.load(key);
        RequestVerifier verifier = new RequestVerifier(TrustedKeys.load(dir));
        Request update = new Request(Request.newId(), "drover", "package", "update", Map.of("package", "mywebapp"), null,
                List.of("dev1.de.example.com"), "alice", System.currentTimeMillis(), 60, null);
        JsonCodec codec = JsonCodec.instance();

        Request dry = signer.sign(update.withDryRun(true));
        assertNull(verifier.refusal(codec.decodeRequest(codec.encode(dry))));
        String wire = new String(codec.encode(dry), StandardCharsets.UTF_8);
        Request stripped = codec.decodeRequest(wire.replace("\"dry_run\":true,", "").getBytes(StandardCharsets.UTF_8));
        assertEquals(false, stripped.dryRun());
        assertTrue(verifier.refusal(stripped).startsWith("signature does not verify for caller alice"), verifier.refusal(stripped));

        Request real = signer.sign(update);
        assertNull(verifier.refusal(codec.decodeRequest(codec.encode(real))));
        String realWire = new String(codec.encode(real), StandardCharsets.UTF_8);
        Request marked = codec.decodeRequest(realWire.replace("\"ttl\":60,", "\"ttl\":60,\"dry_run\":true,").getBytes(StandardCharsets.UTF_8));
        assertTrue(marked.dryRun());
        assertTrue(verifier.refusal(marked).startsWith("signature does not verify"), verifier.refusal(marked));
    }
}
