package io.drover.client;

import io.drover.testing.TestBroker;

/** The RPC contract against the RabbitMQ named by {@code DROVER_IT_AMQP_URI}. */
class RabbitMqRpcIT extends RpcContract {
    @Override
    TestBroker startBroker() {
        return TestBroker.rabbitMq();
    }
}
