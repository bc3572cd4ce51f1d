package io.drover.security;

/**
 * How a node protects itself: which callers it obeys, what they may do, what it records, and how it signs
 * its replies.
 *
 * @param verifier    checks request signatures; {@code null} accepts unsigned requests (labs and tests only)
 * @param policy      who may do what; {@code null} allows every verified caller everything
 * @param audit       where decisions are recorded
 * @param replySigner signs replies with the node key; {@code null} leaves them unsigned
 */
public record RequestSecurity(RequestVerifier verifier, Policy policy, AuditLog audit, ReplySigner replySigner) {
    public RequestSecurity {
        audit = audit == null ? AuditLog.none() : audit;
    }

    /** No signature check, no policy, no audit: for tests and in-process use only. */
    public static RequestSecurity none() {
        return new RequestSecurity(null, null, AuditLog.none(), null);
    }
}
