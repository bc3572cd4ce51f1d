package io.drover.agents.pkg;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall times of the steps of an integration test, printed at its end for the record. */
final class Timings {
    interface Step<T> {
        T run() throws Exception;
    }

    private final String name;
    private final Map<String, Long> millis = new LinkedHashMap<>();

    Timings(String name) {
        this.name = name;
    }

    <T> T time(String step, Step<T> body) throws Exception {
        long started = System.nanoTime();
        try {
            return body.run();
        } finally {
            millis.put(step, (System.nanoTime() - started) / 1_000_000);
        }
    }

    void print() {
        StringBuilder out = new StringBuilder(name).append(" timings:");
        millis.forEach((step, ms) -> out.append(' ').append(step).append(' ').append(ms).append(" ms;"));
        System.out.println(out);
    }
}
