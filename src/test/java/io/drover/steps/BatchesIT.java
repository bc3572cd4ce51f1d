package io.drover.steps;

import io.drover.testing.TestBroker;

/** Rollouts in batches on the embedded broker. */
class BatchesIT extends BatchContract {
    @Override
    TestBroker startBroker() {
        return TestBroker.embedded();
    }

    @Override
    String name() {
        return "embedded";
    }
}
