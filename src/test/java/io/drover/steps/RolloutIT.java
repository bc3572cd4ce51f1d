package io.drover.steps;

import io.drover.testing.TestBroker;

/** Rollouts on the embedded broker. */
class RolloutIT extends RolloutContract {
    @Override
    TestBroker startBroker() {
        return TestBroker.embedded();
    }

    @Override
    String name() {
        return "embedded";
    }
}
