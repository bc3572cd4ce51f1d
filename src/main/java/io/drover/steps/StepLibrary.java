package io.drover.steps;

import io.cucumber.cucumberexpressions.Argument;
import io.cucumber.cucumberexpressions.Expression;
import io.cucumber.cucumberexpressions.ExpressionFactory;
import io.cucumber.cucumberexpressions.ParameterTypeRegistry;
import io.cucumber.java.en.And;
import io.cucumber.java.en.But;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;

import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Drover's step definitions on the scenario's own step objects, matched by the same expressions Cucumber matches
 * them by, so that a batch step can run the steps after it once per batch: a new step of these classes can be
 * repeated with no change here.
 */
final class StepLibrary {
    /** One step definition: its expression, the scenario's step object and the method Cucumber would call. */
    record Definition(Expression expression, Object target, Method method) {
    }

    /** A step's text matched to its definition, with the arguments Cucumber would pass. */
    record Match(Definition definition, Object[] arguments) {
        /** Calls the step method as Cucumber would, rethrowing what it throws. */
        void run() {
            try {
                definition.method().invoke(definition.target(), arguments);
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

    private final List<Definition> definitions = new ArrayList<>();

    StepLibrary(List<Object> stepObjects) {
        ExpressionFactory factory = new ExpressionFactory(new ParameterTypeRegistry(Locale.ENGLISH));
        for (Object target : stepObjects) {
            Method[] methods = target.getClass().getMethods();
            // A stable order, so an ambiguity is reported the same way on every run.
            Arrays.sort(methods, Comparator.comparing(Method::getName));
            for (Method method : methods) {
                for (Annotation annotation : method.getAnnotations()) {
                    String source = expression(annotation);
                    if (source != null) {
                        definitions.add(new Definition(factory.createExpression(source), target, method));
                    }
                }
            }
        }
    }

    private static String expression(Annotation annotation) {
        if (annotation instanceof Given given) {
            return given.value();
        }
        if (annotation instanceof When when) {
            return when.value();
        }
        if (annotation instanceof Then then) {
            return then.value();
        }
        if (annotation instanceof And and) {
            return and.value();
        }
        if (annotation instanceof But but) {
            return but.value();
        }
        return null;
    }

    /** Every definition, in a stable order. */
    List<Definition> definitions() {
        return List.copyOf(definitions);
    }

    /** Every definition matching {@code text}: none for a step that is not Drover's, several when it is ambiguous. */
    List<Match> matches(String text) {
        List<Match> found = new ArrayList<>();
        for (Definition definition : definitions) {
            List<Argument<?>> arguments = definition.expression().match(text);
            if (arguments != null) {
                found.add(new Match(definition, arguments.stream().map(Argument::getValue).toArray()));
            }
        }
        return found;
    }
}
