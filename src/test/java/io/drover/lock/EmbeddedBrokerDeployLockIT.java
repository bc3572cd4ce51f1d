package io.drover.lock;

import io.drover.testing.TestBroker;

/** The deploy lock contract on the embedded Qpid broker. */
class EmbeddedBrokerDeployLockIT extends DeployLockContract {
    @Override
    TestBroker startBroker() {
        return TestBroker.embedded();
    }

    @Override
    boolean notifiesCancelledConsumers() {
        return false;
    }
}
