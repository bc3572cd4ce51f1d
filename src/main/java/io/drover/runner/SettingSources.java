package io.drover.runner;

import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.ConfigurationParametersResource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayDeque;
import java.util.Deque;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Where the runner's settings come from, in the order of {@link Constants}: the running suite's
 * {@code @ConfigurationParameter}s, then the test plan's configuration parameters (the launcher's own, {@code -D},
 * {@code junit-platform.properties}), then the environment. Outside a JUnit Platform launcher (a Cucumber CLI run,
 * an engine test kit) there is no test plan: system properties, then {@code junit-platform.properties}.
 *
 * <p>Launchers may nest (a test that runs features), so what {@link ConfigurationParametersListener} enters is a
 * stack; suites run one after another, so the innermost suite is the one whose scenarios are running.
 */
final class SettingSources {
    /** The JUnit Platform's configuration file, read from the class path as the launcher reads it. */
    static final String CONFIG_FILE = "junit-platform.properties";

    private record Layer(Object owner, boolean plan, Function<String, Optional<String>> values) {
    }

    private static final Deque<Layer> LAYERS = new ArrayDeque<>();

    private SettingSources() {
    }

    static synchronized void enterPlan(Object plan, Function<String, Optional<String>> parameters) {
        LAYERS.push(new Layer(plan, true, parameters));
    }

    static void enterSuite(Object suite, Class<?> suiteClass) {
        Map<String, String> parameters = suiteParameters(suiteClass);
        synchronized (SettingSources.class) {
            LAYERS.push(new Layer(suite, false, name -> Optional.ofNullable(parameters.get(name))));
        }
    }

    /** Leaves what {@code owner} entered (and anything entered after it that was never left). */
    static synchronized void leave(Object owner) {
        if (LAYERS.stream().noneMatch(layer -> layer.owner().equals(owner))) {
            return;
        }
        while (!LAYERS.isEmpty() && !LAYERS.pop().owner().equals(owner)) {
            // An inner layer whose end was never reported, e.g. a suite aborted by an engine failure.
        }
    }

    /**
     * The settings as they are now: a setting's value, or {@code null} when no source but the environment could
     * give it. The environment is {@link RunnerConfig}'s own fallback.
     */
    static Function<String, String> current() {
        Layer[] layers;
        synchronized (SettingSources.class) {
            layers = LAYERS.toArray(Layer[]::new);
        }
        return name -> lookup(layers, name);
    }

    private static String lookup(Layer[] layers, String name) {
        // Innermost first: the running suites' own parameters, then the plan that runs them, which has the last word.
        for (Layer layer : layers) {
            Optional<String> value = layer.values().apply(name);
            if (value.isPresent()) {
                return value.get();
            }
            if (layer.plan()) {
                return null;
            }
        }
        String property = System.getProperty(name);
        return property != null ? property : ConfigFile.VALUES.getProperty(name);
    }

    /**
     * Every {@code drover.*} setting of {@link Constants} that {@code settings} gives a value, with that value: what
     * tells one configuration from another.
     */
    static Map<String, String> snapshot(Function<String, String> settings) {
        Map<String, String> values = new TreeMap<>();
        for (Field field : Constants.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class && field.getName().endsWith("_PROPERTY_NAME")) {
                try {
                    String name = (String) field.get(null);
                    String value = settings.apply(name);
                    if (value != null) {
                        values.put(name, value);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return values;
    }

    /** A suite's {@code @ConfigurationParameter}s over those of its {@code @ConfigurationParametersResource}s. */
    static Map<String, String> suiteParameters(Class<?> suiteClass) {
        Map<String, String> parameters = new HashMap<>();
        for (ConfigurationParametersResource resource
                : AnnotationSupport.findRepeatableAnnotations(suiteClass, ConfigurationParametersResource.class)) {
            Properties properties = load(resource.value(), suiteClass.getClassLoader());
            if (properties == null) {
                // The suite engine fails this suite itself, naming the missing resource.
                continue;
            }
            properties.stringPropertyNames().forEach(key -> parameters.put(key, properties.getProperty(key)));
        }
        for (ConfigurationParameter parameter : AnnotationSupport.findRepeatableAnnotations(suiteClass, ConfigurationParameter.class)) {
            parameters.put(parameter.key(), parameter.value());
        }
        return parameters;
    }

    private static Properties load(String resource, ClassLoader loader) {
        URL url = (loader != null ? loader : ClassLoader.getSystemClassLoader()).getResource(resource);
        if (url == null) {
            return null;
        }
        Properties properties = new Properties();
        try (InputStream in = url.openStream()) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + url + ": " + e.getMessage(), e);
        }
        return properties;
    }

    /** {@value #CONFIG_FILE} as the thread's class loader finds it when first needed, or nothing. */
    private static final class ConfigFile {
        static final Properties VALUES = read();

        private static Properties read() {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Properties properties = load(CONFIG_FILE, loader != null ? loader : SettingSources.class.getClassLoader());
            return properties != null ? properties : new Properties();
        }
    }
}
