package io.drover.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;

import java.util.stream.Stream;

/**
 * A test class whose parameterized tests run on the embedded Qpid broker and on RabbitMQ: the embedded broker starts
 * once for the class and stops after it; RabbitMQ is the shared one ({@link TestBroker#rabbitMq()}). Use
 * {@code @MethodSource("brokers")} with {@code @ParameterizedTest(autoCloseArguments = false)}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OnBothBrokers {
    protected TestBroker embedded;
    protected TestBroker rabbit;

    @BeforeAll
    void startBrokers() {
        embedded = TestBroker.embedded();
        rabbit = TestBroker.rabbitMq();
    }

    @AfterAll
    void stopBrokers() {
        if (embedded != null) {
            embedded.close();
        }
    }

    /** Both brokers, named for the test report. */
    public Stream<Named<TestBroker>> brokers() {
        return Stream.of(Named.of("embedded Qpid", embedded), Named.of("RabbitMQ", rabbit));
    }
}
