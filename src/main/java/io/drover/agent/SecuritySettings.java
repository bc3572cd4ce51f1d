package io.drover.agent;

import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.security.AuditLog;
import io.drover.security.KeyFiles;
import io.drover.security.Policy;
import io.drover.security.ReplySigner;
import io.drover.security.RequestSecurity;
import io.drover.security.RequestVerifier;
import io.drover.security.TrustedKeys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code security} section of {@code agent.yaml}. Secure by default: without it, the agent obeys only
 * requests signed by a caller whose key is in {@value #DEFAULT_TRUSTED_CALLERS}.
 * <pre>
 * security:
 *   trusted_callers: /etc/drover/callers   # NAME.pub of every caller this node obeys
 *   policy: /etc/drover/policy.yaml        # optional; once present, what it does not allow is denied
 *   audit_log: /var/log/drover/audit.log   # optional; one JSON line per request
 *   node_key: /etc/drover/node.key         # optional; sign replies so no node can answer for another
 *   allow_unsigned: false                  # true only for a lab: obey anyone who can reach the broker
 * </pre>
 *
 * @param trustedCallers directory of trusted caller keys, or {@code null} when unsigned requests are allowed
 * @param policy         policy file, or {@code null}
 * @param auditLog       audit log file, or {@code null}
 * @param nodeKey        private key signing replies, or {@code null}
 */
public record SecuritySettings(Path trustedCallers, Path policy, Path auditLog, Path nodeKey) {
    public static final String DEFAULT_TRUSTED_CALLERS = "/etc/drover/callers";

    static SecuritySettings read(Settings section, Path dir) {
        boolean allowUnsigned = section.bool("allow_unsigned", false);
        String callers = section.string("trusted_callers", allowUnsigned ? null : DEFAULT_TRUSTED_CALLERS);
        String policy = section.string("policy", null);
        String audit = section.string("audit_log", null);
        String nodeKey = section.string("node_key", null);
        section.requireAllRead();
        if (allowUnsigned && callers != null) {
            throw section.invalid("allow_unsigned", "cannot be true together with trusted_callers; choose one");
        }
        return new SecuritySettings(resolve(dir, callers), resolve(dir, policy), resolve(dir, audit), resolve(dir, nodeKey));
    }

    private static Path resolve(Path dir, String path) {
        return path == null ? null : dir.resolve(path);
    }

    /** Whether requests need no signature (a lab setting). */
    public boolean allowsUnsigned() {
        return trustedCallers == null;
    }

    /**
     * Loads keys and policy and opens the audit log.
     *
     * @param openAudit false to only check the audit log's directory, as {@code --check} does
     */
    public RequestSecurity open(boolean openAudit) {
        RequestVerifier verifier = null;
        if (trustedCallers != null) {
            try {
                verifier = new RequestVerifier(TrustedKeys.load(trustedCallers));
            } catch (IOException e) {
                throw new ConfigException("security.trusted_callers: " + e.getMessage() + ". Create it and put the public key "
                        + "(NAME.pub, from `drover keys create --name NAME`) of every caller this node obeys in it, or set "
                        + "security.allow_unsigned: true for a lab");
            }
        }
        Policy loadedPolicy = policy == null ? null : Policy.load(policy);
        ReplySigner signer = null;
        if (nodeKey != null) {
            try {
                signer = new ReplySigner(KeyFiles.readPrivate(nodeKey));
            } catch (IOException e) {
                throw new ConfigException("security.node_key: " + e.getMessage());
            }
        }
        AuditLog audit = AuditLog.none();
        if (auditLog != null) {
            if (openAudit) {
                try {
                    audit = AuditLog.toFile(auditLog);
                } catch (IOException e) {
                    throw new ConfigException("security.audit_log: cannot open " + auditLog + ": " + e.getMessage());
                }
            } else if (auditLog.getParent() != null && !Files.isDirectory(auditLog.getParent())) {
                throw new ConfigException("security.audit_log: directory " + auditLog.getParent() + " does not exist");
            }
        }
        return new RequestSecurity(verifier, loadedPolicy, audit, signer);
    }

    /** One line for the agent's start-up log. */
    public String describe() {
        return (trustedCallers == null ? "UNSIGNED requests allowed" : "signed requests from " + trustedCallers)
                + (policy == null ? ", no policy" : ", policy " + policy)
                + (auditLog == null ? "" : ", audit " + auditLog)
                + (nodeKey == null ? "" : ", replies signed");
    }
}
