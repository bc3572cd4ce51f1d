package io.drover.bench;

import io.drover.transport.embedded.EmbeddedBroker;

import java.util.concurrent.CountDownLatch;

/** The embedded Qpid broker as a process of its own, so the benchmark measures it apart from the client. */
public final class EmbeddedBrokerMain {
    private EmbeddedBrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.Options.defaults());
        System.out.println("READY " + broker.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
