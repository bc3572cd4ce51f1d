package io.drover.steps;

import io.drover.testing.TestBroker;

/** Rollouts in batches on the RabbitMQ named by {@code DROVER_IT_AMQP_URI}. */
class BatchesRabbitMqIT extends BatchContract {
    @Override
    TestBroker startBroker() {
        return TestBroker.rabbitMq();
    }

    @Override
    String name() {
        return "rabbitmq";
    }
}
