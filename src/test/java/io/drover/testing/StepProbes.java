package io.drover.testing;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.PickleStepTestStep;
import io.cucumber.plugin.event.Status;
import io.cucumber.plugin.event.TestStepFinished;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A Cucumber plugin ({@code cucumber.plugin}: this class's name) that hands the text of every step that passed
 * to the listener a test installed, on the thread running the scenario and before the next step starts: what
 * it checks (say, from the load balancer's namespace) is the state the deploy left right after that step.
 * Cucumber creates the plugin itself, hence the one listener slot for the run.
 */
public final class StepProbes implements ConcurrentEventListener {
    private static final AtomicReference<Consumer<String>> LISTENER = new AtomicReference<>();

    /** Calls {@code afterStep} with each passed step's text until the returned handle is closed. */
    public static AutoCloseable install(Consumer<String> afterStep) {
        if (!LISTENER.compareAndSet(null, afterStep)) {
            throw new IllegalStateException("a step listener is already installed");
        }
        return () -> LISTENER.set(null);
    }

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(TestStepFinished.class, event -> {
            Consumer<String> listener = LISTENER.get();
            if (listener != null && event.getTestStep() instanceof PickleStepTestStep step
                    && event.getResult().getStatus() == Status.PASSED) {
                listener.accept(step.getStep().getText());
            }
        });
    }
}
