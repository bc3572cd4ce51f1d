package io.drover.runner;

import io.drover.security.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunnerConfigTest {
    private static final String BROKER = "amqp://drover:secret@broker.example.com:5672";

    @TempDir
    Path dir;

    private static RunnerConfig read(String... settings) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        return RunnerConfig.read(map::get, name -> null);
    }

    @Test
    void withABrokerRepliesMustBeVerifiable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(Constants.BROKER_PROPERTY_NAME, BROKER));
        assertTrue(e.getMessage().startsWith("Replies cannot be verified: set -Ddrover.issuer=PATH/ISSUER.pub (or DROVER_ISSUER)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("-Ddrover.insecure.accept-unsigned-replies=true"), e.getMessage());
    }

    @Test
    void theIssuerKeyMakesTheRunnerVerifyEveryReply() throws Exception {
        KeyFiles.create(dir, "fleet");
        KeyFiles.create(dir, "old-fleet");
        RunnerConfig config = read(Constants.BROKER_PROPERTY_NAME, BROKER,
                Constants.ISSUER_PROPERTY_NAME, dir.resolve("fleet.pub") + ", " + dir.resolve("old-fleet.pub"));
        assertNotNull(config.clientOptions().replyVerifier());
        assertEquals(java.util.Set.of("fleet", "old-fleet"), config.clientOptions().replyVerifier().issuers());
        assertFalse(config.acceptsUnsignedReplies());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> read(Constants.BROKER_PROPERTY_NAME, BROKER,
                Constants.ISSUER_PROPERTY_NAME, dir.resolve("nope.pub").toString()));
        assertTrue(missing.getMessage().startsWith("drover.issuer: "), missing.getMessage());
        IllegalArgumentException privateKey = assertThrows(IllegalArgumentException.class, () -> read(Constants.BROKER_PROPERTY_NAME, BROKER,
                Constants.ISSUER_PROPERTY_NAME, dir.resolve("fleet.key").toString()));
        assertTrue(privateKey.getMessage().contains("not a PEM file with a PUBLIC KEY"), privateKey.getMessage());
    }

    @Test
    void acceptingUnsignedRepliesIsAnExplicitLabSetting() throws Exception {
        RunnerConfig lab = read(Constants.BROKER_PROPERTY_NAME, BROKER, Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME, "true");
        assertTrue(lab.acceptsUnsignedReplies());
        assertNull(lab.clientOptions().replyVerifier());
        assertTrue(RunnerConfig.UNVERIFIED_REPLIES_WARNING.contains("NOT verified"));
        assertThrows(IllegalArgumentException.class, () -> read(Constants.BROKER_PROPERTY_NAME, BROKER,
                Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME, "yes"));
        assertThrows(IllegalArgumentException.class, () -> read(Constants.BROKER_PROPERTY_NAME, BROKER,
                Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME, "false"), "false is the default: still needs an issuer");
        KeyFiles.create(dir, "fleet");
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> read(Constants.BROKER_PROPERTY_NAME, BROKER,
                Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME, "true", Constants.ISSUER_PROPERTY_NAME, dir.resolve("fleet.pub").toString()));
        assertTrue(both.getMessage().contains("contradict"), both.getMessage());
    }

    @Test
    void sitesAreReadInOrderEachFailingOverInOrderWithTheSharedCredentials() {
        RunnerConfig config = read(Constants.SITES_PROPERTY_NAME,
                " dc1=amqp://a:x@mq1.dc1.example.com:5672,amqp://a:x@mq2.dc1.example.com:5672 ; dc2=amqp://mq.dc2.example.com ;",
                Constants.BROKER_USERNAME_PROPERTY_NAME, "alice", Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME, "true");
        assertTrue(config.broker().isEmpty());
        assertEquals(java.util.List.of("dc1", "dc2"), java.util.List.copyOf(config.sites().keySet()));
        assertEquals(java.util.List.of("mq1.dc1.example.com", "mq2.dc1.example.com"),
                config.sites().get("dc1").uris().stream().map(java.net.URI::getHost).toList());
        assertEquals("alice", config.sites().get("dc2").username());
        assertTrue(config.acceptsUnsignedReplies(), "sites are a broker: the lab setting applies");
    }

    @Test
    void sitesMustBeNamedDistinctAtLeastTwoVerifiableAndNotBesideABroker() {
        String two = "dc1=" + BROKER + ";dc2=" + BROKER;
        IllegalArgumentException unverified = assertThrows(IllegalArgumentException.class, () -> read(Constants.SITES_PROPERTY_NAME, two));
        assertTrue(unverified.getMessage().startsWith("Replies cannot be verified"), unverified.getMessage());
        String lab = Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME;
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> read(Constants.SITES_PROPERTY_NAME, two,
                Constants.BROKER_PROPERTY_NAME, BROKER, lab, "true"));
        assertTrue(both.getMessage().contains("are both set"), both.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> read(Constants.SITES_PROPERTY_NAME,
                "dc1=" + BROKER, lab, "true"));
        assertTrue(one.getMessage().contains("at least two sites"), one.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> read(Constants.SITES_PROPERTY_NAME,
                "dc1=" + BROKER + ";dc1=" + BROKER, lab, "true"));
        assertTrue(twice.getMessage().contains("site dc1 is given twice"), twice.getMessage());
        IllegalArgumentException unnamed = assertThrows(IllegalArgumentException.class, () -> read(Constants.SITES_PROPERTY_NAME,
                BROKER + ";dc2=" + BROKER, lab, "true"));
        assertTrue(unnamed.getMessage().contains("a site without NAME="), unnamed.getMessage());
        assertFalse(unnamed.getMessage().contains("secret"), "the password is never echoed: " + unnamed.getMessage());
        IllegalArgumentException badUri = assertThrows(IllegalArgumentException.class, () -> read(Constants.SITES_PROPERTY_NAME,
                "dc1=" + BROKER + ";dc2=http://mq.example.com", lab, "true"));
        assertTrue(badUri.getMessage().startsWith("drover.sites (site dc2): "), badUri.getMessage());
    }

    @Test
    void theRegistryViewsRefreshPeriodIsASetting() {
        assertEquals(java.time.Duration.ofMinutes(5), read().clientOptions().registry().refreshAfter());
        assertEquals(java.time.Duration.ofSeconds(90),
                read(Constants.FLEET_REFRESH_AFTER_PROPERTY_NAME, "90").clientOptions().registry().refreshAfter());
        assertThrows(IllegalArgumentException.class, () -> read(Constants.FLEET_REFRESH_AFTER_PROPERTY_NAME, "0"));
    }

    @Test
    void theSandboxNeedsNoIssuer() {
        RunnerConfig sandbox = read();
        assertTrue(sandbox.broker().isEmpty());
        assertFalse(sandbox.acceptsUnsignedReplies(), "the sandbox makes its own issuer and verifies");
    }

    @Test
    void aBrokerPasswordFileReadableByEveryoneIsRefusedAsTheAgentRefusesIt() throws Exception {
        Path password = java.nio.file.Files.writeString(dir.resolve("broker.password"), "s3cret\n");
        java.nio.file.Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(Constants.BROKER_PROPERTY_NAME,
                "amqp://broker.example.com", Constants.BROKER_PASSWORD_FILE_PROPERTY_NAME, password.toString(),
                Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME, "true"));
        assertTrue(e.getMessage().startsWith(Constants.BROKER_PASSWORD_FILE_PROPERTY_NAME + ": " + password + " is readable by everyone; "
                + "chmod 600 it"), e.getMessage());

        java.nio.file.Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        RunnerConfig config = read(Constants.BROKER_PROPERTY_NAME, "amqp://broker.example.com",
                Constants.BROKER_PASSWORD_FILE_PROPERTY_NAME, password.toString(), Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME, "true");
        assertEquals("s3cret", config.broker().orElseThrow().password());
    }

    @Test
    void brokerSwitchesAreTrueOrFalseNothingElse() {
        for (String name : new String[] {Constants.BROKER_VERIFY_HOSTNAME_PROPERTY_NAME, Constants.BROKER_USER_ID_PROPERTY_NAME}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(Constants.BROKER_PROPERTY_NAME, BROKER,
                    Constants.INSECURE_ACCEPT_UNSIGNED_REPLIES_PROPERTY_NAME, "true", name, "yes"));
            assertEquals(name + " (or " + RunnerConfig.environmentName(name) + ") must be true or false, got 'yes'", e.getMessage());
        }
    }

    @Test
    void aDryRunIsTrueOrFalseAndMarksTheClient() {
        assertFalse(read().dryRun());
        assertFalse(read().clientOptions().dryRun());
        assertTrue(read(Constants.DRY_RUN_PROPERTY_NAME, "true").clientOptions().dryRun());
        assertFalse(read(Constants.DRY_RUN_PROPERTY_NAME, "false").dryRun());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(Constants.DRY_RUN_PROPERTY_NAME, "yes"));
        assertTrue(e.getMessage().contains("drover.dry-run (or DROVER_DRY_RUN) must be true or false"), e.getMessage());
        assertTrue(RunnerConfig.read(name -> null, name -> name.equals("DROVER_DRY_RUN") ? "true" : null).dryRun());
    }
}
