package io.drover.agent;

/** The Drover version, from the jar manifest; {@code dev} when running from classes. */
public final class AgentVersion {
    private AgentVersion() {
    }

    public static String current() {
        String version = AgentVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
