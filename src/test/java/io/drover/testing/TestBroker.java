package io.drover.testing;

import io.drover.transport.BrokerConnector;
import io.drover.transport.embedded.EmbeddedBroker;
import org.junit.jupiter.api.Assumptions;

import java.util.List;

/**
 * A broker for integration tests: the embedded Qpid broker, or the RabbitMQ named by {@code DROVER_IT_AMQP_URI}
 * (CI sets it). Under {@code CI=true} a missing RabbitMQ is a failure, elsewhere the RabbitMQ tests are skipped.
 */
public interface TestBroker extends AutoCloseable {
    String ENV = "DROVER_IT_AMQP_URI";

    BrokerConnector connector();

    String name();

    @Override
    void close();

    static TestBroker embedded() {
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.Options.defaults());
        BrokerConnector connector = BrokerConnector.of(List.of(broker.amqpUri()));
        return new TestBroker() {
            @Override
            public BrokerConnector connector() {
                return connector;
            }

            @Override
            public String name() {
                return "embedded Qpid on port " + broker.port();
            }

            @Override
            public void close() {
                broker.close();
            }
        };
    }

    static TestBroker rabbitMq() {
        String uri = System.getenv(ENV);
        if (uri == null || uri.isBlank()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(ENV + " is not set, but CI=true: .ci/run must start RabbitMQ and set it");
            }
            Assumptions.abort(ENV + " is not set; start RabbitMQ and set " + ENV + "=amqp://guest:guest@127.0.0.1:5672 to run these tests");
        }
        BrokerConnector connector = BrokerConnector.of(uri);
        return new TestBroker() {
            @Override
            public BrokerConnector connector() {
                return connector;
            }

            @Override
            public String name() {
                return "RabbitMQ at " + connector;
            }

            @Override
            public void close() {
                // a shared server: nothing to stop
            }
        };
    }
}
