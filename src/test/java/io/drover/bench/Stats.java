package io.drover.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median, minimum and maximum of measured rounds, in milliseconds. */
record Stats(double median, double min, double max, int rounds) {
    static Stats of(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
        return new Stats(median / 1e6, sorted.get(0) / 1e6, sorted.get(n - 1) / 1e6, n);
    }
}
