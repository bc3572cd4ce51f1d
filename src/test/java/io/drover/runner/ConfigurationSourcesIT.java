package io.drover.runner;

import io.drover.testing.glue.ConfiguredSuite;
import io.drover.testing.glue.NoteSettingsSuite;
import io.drover.testing.glue.NotedSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * A {@code drover.*} setting reaches the steps from each JUnit Platform source, run as Maven runs features: a
 * {@code @Suite} through the launcher, on the sandbox. The environment, which a running JVM cannot change, is
 * covered by {@code SettingSourcesTest}.
 */
class ConfigurationSourcesIT {
    private static final String STEP_TIMEOUT = Constants.STEP_TIMEOUT_PROPERTY_NAME;

    @TempDir
    Path dir;

    @BeforeEach
    @AfterEach
    void noSystemProperty() {
        System.clearProperty(STEP_TIMEOUT);
        NotedSettings.takeStepTimeout();
    }

    @Test
    void aSuitesConfigurationParameterReachesTheSteps() {
        assertEquals(Duration.ofSeconds(7), noteRunning(ConfiguredSuite.class, Map.of()));
    }

    @Test
    void aSystemPropertyReachesTheSteps() {
        System.setProperty(STEP_TIMEOUT, "5");
        assertEquals(Duration.ofSeconds(5), noteRunning(NoteSettingsSuite.class, Map.of()));
    }

    @Test
    void aSuitesConfigurationParameterWinsOverASystemProperty() {
        System.setProperty(STEP_TIMEOUT, "5");
        assertEquals(Duration.ofSeconds(7), noteRunning(ConfiguredSuite.class, Map.of()));
    }

    @Test
    void aLauncherConfigurationParameterReachesTheSteps() {
        // As Surefire's <configurationParameters> or a launcher's own request give them.
        assertEquals(Duration.ofSeconds(11), noteRunning(NoteSettingsSuite.class, Map.of(STEP_TIMEOUT, "11")));
    }

    @Test
    void junitPlatformPropertiesReachTheStepsAndASystemPropertyWinsOverThem() throws IOException {
        Path file = Files.writeString(dir.resolve("junit-platform.properties"), STEP_TIMEOUT + "=9\n");
        assertEquals(Duration.ofSeconds(9), withConfigFile(file, () -> noteRunning(NoteSettingsSuite.class, Map.of())));
        System.setProperty(STEP_TIMEOUT, "5");
        assertEquals(Duration.ofSeconds(5), withConfigFile(file, () -> noteRunning(NoteSettingsSuite.class, Map.of())));
    }

    /** Runs {@code suite} through a JUnit Platform launcher and returns the step timeout its scenario noted. */
    private static Duration noteRunning(Class<?> suite, Map<String, String> launcherParameters) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(suite))
                .configurationParameters(launcherParameters).build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, summary);
        TestExecutionSummary result = summary.getSummary();
        StringWriter failures = new StringWriter();
        result.printFailuresTo(new PrintWriter(failures), 20);
        assertEquals(1, result.getTestsSucceededCount(), () -> "the scenario passes; " + failures);
        return NotedSettings.takeStepTimeout();
    }

    /**
     * Runs {@code action} with the thread's class loader finding {@code file} as {@code junit-platform.properties},
     * before the test class path's own: the launcher reads the file through that loader.
     */
    private static <T> T withConfigFile(Path file, Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        thread.setContextClassLoader(new ClassLoader(original) {
            @Override
            public URL getResource(String name) {
                return name.equals(SettingSources.CONFIG_FILE) ? url(file) : super.getResource(name);
            }

            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.equals(SettingSources.CONFIG_FILE) ? Collections.enumeration(java.util.List.of(url(file)))
                        : super.getResources(name);
            }
        });
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(original);
        }
    }

    private static URL url(Path file) {
        try {
            return file.toUri().toURL();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
