package io.drover.steps;

import io.cucumber.cucumberexpressions.Argument;
import io.cucumber.cucumberexpressions.Expression;
import io.cucumber.cucumberexpressions.ExpressionFactory;
import io.cucumber.cucumberexpressions.ParameterTypeRegistry;
import io.cucumber.java.en.Then;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The built-in Then steps of some step objects, found by their own {@code @Then} expressions, so that one step
 * ({@code within N seconds ...}) can run any of them: a new Then step works under {@code within} with no change here.
 */
final class ThenSteps {
    private record Definition(Expression expression, Object target, Method method) {
    }

    private final List<Definition> definitions = new ArrayList<>();

    ThenSteps(List<Object> stepObjects) {
        ExpressionFactory factory = new ExpressionFactory(new ParameterTypeRegistry(Locale.ENGLISH));
        for (Object target : stepObjects) {
            Method[] methods = target.getClass().getMethods();
            // A stable order, so an ambiguity is reported the same way on every run.
            java.util.Arrays.sort(methods, Comparator.comparing(Method::getName));
            for (Method method : methods) {
                Then then = method.getAnnotation(Then.class);
                if (then != null) {
                    definitions.add(new Definition(factory.createExpression(then.value()), target, method));
                }
            }
        }
    }

    /** The Then step {@code text} names, e.g. "the service httpd should be running", ready to run. */
    Runnable find(String text) {
        List<Runnable> found = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Definition definition : definitions) {
            List<Argument<?>> arguments = definition.expression().match(text);
            if (arguments != null) {
                Object[] values = arguments.stream().map(Argument::getValue).toArray();
                found.add(() -> invoke(definition, values));
                names.add(definition.expression().getSource());
            }
        }
        if (found.isEmpty()) {
            List<String> known = definitions.stream().map(definition -> definition.expression().getSource()).sorted().toList();
            throw new AssertionError("'within' must be followed by a built-in Then step; '" + text + "' is none of:\n  "
                    + String.join("\n  ", known));
        }
        if (found.size() > 1) {
            throw new AssertionError("'" + text + "' matches several Then steps: " + String.join(", ", names));
        }
        return found.get(0);
    }

    private static void invoke(Definition definition, Object[] values) {
        try {
            definition.method().invoke(definition.target(), values);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error error) {
                throw error;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot run " + definition.method() + ": " + e.getMessage(), e);
        }
    }
}
