package io.drover.error;

/**
 * A thread waiting on the broker or the fleet was interrupted (the run is stopping). Whoever throws it has
 * restored the thread's interrupt flag first.
 */
public class OperationInterruptedException extends DroverException {
    public OperationInterruptedException(String message, InterruptedException cause) {
        super(message, cause);
    }
}
