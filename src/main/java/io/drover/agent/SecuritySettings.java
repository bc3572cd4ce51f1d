package io.drover.agent;

import io.drover.agent.plugin.ConfigException;
import io.drover.agent.plugin.Settings;
import io.drover.security.AuditLog;
import io.drover.security.NodeCredentials;
import io.drover.security.Policy;
import io.drover.security.ReplySigner;
import io.drover.security.RequestSecurity;
import io.drover.security.RequestVerifier;
import io.drover.security.TrustedKeys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code security} section of {@code agent.yaml}. Secure by default: without it, the agent obeys only
 * requests signed by a caller whose key is in {@value #DEFAULT_TRUSTED_CALLERS}.
 * <pre>
 * security:
 *   trusted_callers: /etc/drover/callers   # NAME.pub of every caller this node obeys
 *   policy: /etc/drover/policy.yaml        # optional; once present, what it does not allow is denied
 *   audit_log: /var/log/drover/audit.log   # optional; one JSON line per request
 *   node_key: node.key                     # this node's private key, signing every reply (default: next to agent.yaml)
 *   node_certificate: node.crt             # its certificate from the fleet issuer (drover keys issue)
 *   allow_unsigned: false                  # true only for a lab: obey anyone who can reach the broker
 *   unsigned_replies: false                # true only for a lab: no node key; runners refuse such replies by default
 * </pre>
 *
 * @param trustedCallers  directory of trusted caller keys, or {@code null} when unsigned requests are allowed
 * @param policy          policy file, or {@code null}
 * @param auditLog        audit log file, or {@code null}
 * @param nodeKey         private key signing replies, or {@code null} when replies go unsigned (a lab)
 * @param nodeCertificate the node key's certificate, or {@code null} when replies go unsigned
 */
public record SecuritySettings(Path trustedCallers, Path policy, Path auditLog, Path nodeKey, Path nodeCertificate) {
    public static final String DEFAULT_TRUSTED_CALLERS = "/etc/drover/callers";
    public static final String DEFAULT_NODE_KEY = "node.key";
    public static final String DEFAULT_NODE_CERTIFICATE = "node.crt";

    static SecuritySettings read(Settings section, Path dir) {
        boolean allowUnsigned = section.bool("allow_unsigned", false);
        String callers = section.string("trusted_callers", allowUnsigned ? null : DEFAULT_TRUSTED_CALLERS);
        String policy = section.string("policy", null);
        String audit = section.string("audit_log", null);
        boolean unsignedReplies = section.bool("unsigned_replies", false);
        String nodeKey = section.string("node_key", unsignedReplies ? null : DEFAULT_NODE_KEY);
        String certificate = section.string("node_certificate", unsignedReplies ? null : DEFAULT_NODE_CERTIFICATE);
        section.requireAllRead();
        if (allowUnsigned && callers != null) {
            throw section.invalid("allow_unsigned", "cannot be true together with trusted_callers; choose one");
        }
        if (unsignedReplies && (nodeKey != null || certificate != null)) {
            throw section.invalid("unsigned_replies", "cannot be true together with node_key or node_certificate; choose one");
        }
        return new SecuritySettings(resolve(dir, callers), resolve(dir, policy), resolve(dir, audit), resolve(dir, nodeKey),
                resolve(dir, certificate));
    }

    /** Whether replies go unsigned (a lab setting). */
    public boolean unsignedReplies() {
        return nodeKey == null;
    }

    private static Path resolve(Path dir, String path) {
        return path == null ? null : dir.resolve(path);
    }

    /** Whether requests need no signature (a lab setting). */
    public boolean allowsUnsigned() {
        return trustedCallers == null;
    }

    /**
     * Loads keys, certificate and policy and opens the audit log.
     *
     * @param openAudit false to only check the audit log's directory, as {@code --check} does
     * @param identity  the node's identity, which its certificate must name
     */
    public RequestSecurity open(boolean openAudit, String identity) {
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
        ReplySigner signer = nodeKey == null ? null : ReplySigner.of(List.of(credentials(identity)));
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

    private NodeCredentials credentials(String identity) {
        String enrol = ". Enrol this node: `drover-agent keys create --name node --dir " + nodeKey.toAbsolutePath().getParent()
                + "`, then, where the fleet issuer key is kept, `drover keys issue --issuer ISSUER.key --name " + identity
                + " --node-key node.pub --out " + identity + ".crt` and copy that certificate to " + nodeCertificate
                + " (docs/security.md, Enrol nodes). Only for a lab: security.unsigned_replies: true";
        NodeCredentials credentials;
        try {
            credentials = NodeCredentials.load(nodeKey, nodeCertificate);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException("security: " + e.getFile() + " does not exist; every node signs its replies" + enrol);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("security.node_key/node_certificate: " + e.getMessage() + enrol);
        }
        if (!credentials.identity().equals(identity)) {
            throw new ConfigException("security.node_certificate " + nodeCertificate + " is for " + credentials.identity()
                    + ", not for this node's identity " + identity + enrol);
        }
        String expired = credentials.certificate().problemAt(java.time.Instant.now());
        if (expired != null) {
            throw new ConfigException("security.node_certificate " + nodeCertificate + ": " + expired);
        }
        return credentials;
    }

    /** One line for the agent's start-up log. */
    public String describe() {
        return (trustedCallers == null ? "UNSIGNED requests allowed" : "signed requests from " + trustedCallers)
                + (policy == null ? ", no policy" : ", policy " + policy)
                + (auditLog == null ? "" : ", audit " + auditLog)
                + (nodeKey == null ? ", replies UNSIGNED" : ", replies signed with " + nodeKey + " and " + nodeCertificate);
    }
}
