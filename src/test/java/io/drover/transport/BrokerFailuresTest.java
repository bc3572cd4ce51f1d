package io.drover.transport;

import com.rabbitmq.client.ShutdownSignalException;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BrokerFailuresTest {
    @Test
    void aRefusalWrappedWithoutAMessageIsDescribedInTheBrokersWords() {
        ShutdownSignalException refusal = new ShutdownSignalException(false, false, null, null);
        IOException wrapped = new IOException(refusal);
        // amqp-client's own shape: the IOException's message is the cause's toString, the useful words are the cause's
        assertEquals(refusal.getMessage(), BrokerFailures.describe(new IOException((String) null, refusal)));
        assertEquals(refusal.getMessage(), BrokerFailures.describe(wrapped));
        assertEquals("TimeoutException", BrokerFailures.describe(new java.util.concurrent.TimeoutException()));
    }
}
