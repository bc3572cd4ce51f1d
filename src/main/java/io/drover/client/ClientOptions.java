package io.drover.client;

import io.drover.protocol.Names;
import io.drover.security.ReplyVerifier;
import io.drover.security.RequestSigner;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link DroverClient}.
 *
 * @param collective       collective to talk to
 * @param caller           who the requests come from; shown in agents' logs; the signer's name when signing
 * @param discoveryTimeout hard cap on discovery (MCollective always waited its 2 s; Drover usually far less)
 * @param quietWindow      when discovery ends before the cap
 * @param callTimeout      default time a call waits for every reply
 * @param signer           signs every request, or {@code null} to send them unsigned
 * @param replyVerifier    checks that each reply is signed by an enrolled node that was asked, answering the request
 *                         sent; {@code null} accepts any reply (tests; the runner wants {@code drover.issuer} or the
 *                         explicit {@code drover.insecure.accept-unsigned-replies})
 * @param registry         how discovery cross-checks the fleet registry
 * @param dryRun           every request goes out as a dry run: nodes say what they would do and change nothing
 */
public record ClientOptions(String collective, String caller, Duration discoveryTimeout, QuietWindowPolicy quietWindow,
                            Duration callTimeout, RequestSigner signer, ReplyVerifier replyVerifier, RegistryOptions registry,
                            boolean dryRun) {
    public static final Duration DEFAULT_DISCOVERY_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_QUIET_MINIMUM = Duration.ofMillis(30);
    public static final Duration DEFAULT_QUIET_MAXIMUM = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);

    public ClientOptions {
        Names.require(Names.COLLECTIVE, collective, "collective");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(discoveryTimeout, "discoveryTimeout");
        Objects.requireNonNull(quietWindow, "quietWindow");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(registry, "registry");
        if (signer != null && !signer.caller().equals(caller)) {
            throw new IllegalArgumentException("caller " + caller + " differs from the signing key's name " + signer.caller());
        }
    }

    /** Collective {@code drover}, the local user as caller, 2 s discovery cap, adaptive quiet window, 60 s calls, unsigned. */
    public static ClientOptions defaults() {
        return new ClientOptions(Names.DEFAULT_COLLECTIVE, defaultCaller(), DEFAULT_DISCOVERY_TIMEOUT,
                QuietWindowPolicy.adaptive(DEFAULT_QUIET_MINIMUM, DEFAULT_QUIET_MAXIMUM), DEFAULT_CALL_TIMEOUT, null, null,
                RegistryOptions.defaults(), false);
    }

    public ClientOptions withCollective(String value) {
        return new ClientOptions(value, caller, discoveryTimeout, quietWindow, callTimeout, signer, replyVerifier, registry, dryRun);
    }

    public ClientOptions withCaller(String value) {
        return new ClientOptions(collective, value, discoveryTimeout, quietWindow, callTimeout, signer, replyVerifier, registry, dryRun);
    }

    public ClientOptions withDiscoveryTimeout(Duration value) {
        return new ClientOptions(collective, caller, value, quietWindow, callTimeout, signer, replyVerifier, registry, dryRun);
    }

    public ClientOptions withQuietWindow(QuietWindowPolicy value) {
        return new ClientOptions(collective, caller, discoveryTimeout, value, callTimeout, signer, replyVerifier, registry, dryRun);
    }

    public ClientOptions withCallTimeout(Duration value) {
        return new ClientOptions(collective, caller, discoveryTimeout, quietWindow, value, signer, replyVerifier, registry, dryRun);
    }

    /** Signs requests with {@code value}; the caller becomes the key's name. */
    public ClientOptions withSigner(RequestSigner value) {
        return new ClientOptions(collective, value == null ? caller : value.caller(), discoveryTimeout, quietWindow, callTimeout,
                value, replyVerifier, registry, dryRun);
    }

    public ClientOptions withReplyVerifier(ReplyVerifier value) {
        return new ClientOptions(collective, caller, discoveryTimeout, quietWindow, callTimeout, signer, value, registry, dryRun);
    }

    public ClientOptions withRegistry(RegistryOptions value) {
        return new ClientOptions(collective, caller, discoveryTimeout, quietWindow, callTimeout, signer, replyVerifier, value, dryRun);
    }

    /** Every request as a dry run ({@code true}) or as one that acts. */
    public ClientOptions withDryRun(boolean value) {
        return new ClientOptions(collective, caller, discoveryTimeout, quietWindow, callTimeout, signer, replyVerifier, registry, value);
    }

    /** {@code user@host}. */
    public static String defaultCaller() {
        String user = System.getProperty("user.name", "unknown");
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return user + "@" + host;
    }
}
