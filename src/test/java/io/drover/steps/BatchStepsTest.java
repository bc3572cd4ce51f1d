package io.drover.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchStepsTest {
    /** A step class missing from BatchSteps' library would make its steps refused under a batch step. */
    @Test
    void everyDroverStepClassIsOneABatchCanRun() throws Exception {
        Path dir = Path.of(BatchSteps.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("io/drover/steps");
        Set<String> withSteps = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = file.getFileName().toString();
                Class<?> type = Class.forName("io.drover.steps." + name.substring(0, name.length() - ".class".length()));
                for (Method method : type.getDeclaredMethods()) {
                    if (method.isAnnotationPresent(Given.class) || method.isAnnotationPresent(When.class)
                            || method.isAnnotationPresent(Then.class)) {
                        withSteps.add(type.getSimpleName());
                    }
                }
            }
        }
        Set<String> inLibrary = new TreeSet<>(List.of("BatchSteps"));
        Arrays.stream(BatchSteps.class.getConstructors()[0].getParameterTypes()).filter(type -> type != Deployment.class)
                .forEach(type -> inLibrary.add(type.getSimpleName()));
        assertEquals(withSteps, inLibrary);
    }
}
