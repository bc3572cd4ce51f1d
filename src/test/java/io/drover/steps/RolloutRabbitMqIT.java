package io.drover.steps;

import io.drover.testing.TestBroker;

/** Rollouts on the RabbitMQ named by {@code DROVER_IT_AMQP_URI}. */
class RolloutRabbitMqIT extends RolloutContract {
    @Override
    TestBroker startBroker() {
        return TestBroker.rabbitMq();
    }

    @Override
    String name() {
        return "rabbitmq";
    }
}
