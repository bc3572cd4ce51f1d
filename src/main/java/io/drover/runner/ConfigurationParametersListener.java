package io.drover.runner;

import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.engine.TestExecutionResult;

import java.util.List;
import java.util.Optional;

/**
 * Lets Drover's steps read {@code drover.*} settings as JUnit Platform configuration parameters. Cucumber hands
 * those to its engine only, not to glue code, so this listener (registered with the JUnit Platform launcher through
 * {@code META-INF/services}) keeps the test plan's parameters ({@code junit-platform.properties}, {@code -D}, the
 * launcher's own) and, while a {@code @Suite} class runs, that suite's {@code @ConfigurationParameter}s, which never
 * reach the launcher. See {@link Constants} for the order in which sources win.
 */
public final class ConfigurationParametersListener implements TestExecutionListener {
    /** JUnit's suite engine names each suite in its unique id with this segment type. */
    static final String SUITE_SEGMENT_TYPE = "suite";

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        SettingSources.enterPlan(testPlan, testPlan.getConfigurationParameters()::get);
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        SettingSources.leave(testPlan);
    }

    @Override
    public void executionStarted(TestIdentifier identifier) {
        suiteClass(identifier).ifPresent(suite -> SettingSources.enterSuite(identifier.getUniqueId(), suite));
    }

    @Override
    public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
        if (suiteClass(identifier).isPresent()) {
            SettingSources.leave(identifier.getUniqueId());
        }
    }

    private static Optional<Class<?>> suiteClass(TestIdentifier identifier) {
        List<UniqueId.Segment> segments = identifier.getUniqueIdObject().getSegments();
        if (segments.isEmpty() || !segments.get(segments.size() - 1).getType().equals(SUITE_SEGMENT_TYPE)) {
            return Optional.empty();
        }
        Optional<TestSource> source = identifier.getSource();
        if (source.isEmpty() || !(source.get() instanceof ClassSource classSource)) {
            return Optional.empty();
        }
        try {
            return Optional.of(classSource.getJavaClass());
        } catch (RuntimeException e) {
            // The suite engine loaded this class to run it; should that fail here, its parameters are simply not seen.
            return Optional.empty();
        }
    }
}
