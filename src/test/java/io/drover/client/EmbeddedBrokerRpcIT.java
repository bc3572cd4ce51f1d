package io.drover.client;

import io.drover.testing.TestBroker;

/** The RPC contract against the embedded Qpid broker. */
class EmbeddedBrokerRpcIT extends RpcContract {
    @Override
    TestBroker startBroker() {
        return TestBroker.embedded();
    }
}
