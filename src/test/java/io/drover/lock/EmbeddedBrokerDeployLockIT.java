package io.drover.lock;

import io.drover.testing.TestBroker;

/** The deploy lock contract on the embedded Qpid broker, which closes the whole connection on a lock refused. */
class EmbeddedBrokerDeployLockIT extends DeployLockContract {
    @Override
    TestBroker startBroker() {
        return TestBroker.embedded();
    }
}
