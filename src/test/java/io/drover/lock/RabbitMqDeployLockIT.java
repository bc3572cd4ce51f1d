package io.drover.lock;

import io.drover.testing.TestBroker;

/** The deploy lock contract against the RabbitMQ named by {@code DROVER_IT_AMQP_URI}. */
class RabbitMqDeployLockIT extends DeployLockContract {
    @Override
    TestBroker startBroker() {
        return TestBroker.rabbitMq();
    }
}
