package io.drover.steps;

/**
 * How many hosts of a batch may fail before the rollout halts: none (the default), a count, or a percentage of the
 * batch's hosts. A percentage rounds down, so the budget never allows more than the stated share: 10% of 4 hosts
 * allows none, 10% of 19 allows 1, 10% of 20 allows 2.
 *
 * @param limit   the count, or the percentage (0 to 100)
 * @param percent whether {@code limit} is a percentage
 */
record FailureBudget(int limit, boolean percent) {
    /** No failed host: the first failure fails its step. */
    static final FailureBudget NONE = new FailureBudget(0, false);

    FailureBudget {
        if (limit < 0 || percent && limit > 100) {
            throw new AssertionError("A failure budget must be " + (percent ? "0 to 100%" : "0 or more hosts") + ", not " + limit
                    + (percent ? "%" : ""));
        }
    }

    static FailureBudget hosts(int count) {
        return new FailureBudget(count, false);
    }

    static FailureBudget percentOf(int percent) {
        return new FailureBudget(percent, true);
    }

    /** How many of a batch of {@code batchSize} hosts may fail. */
    int allowed(int batchSize) {
        if (!percent) {
            return limit;
        }
        // Exact in long arithmetic, rounding down: a budget of p% never allows more than p% of the batch to fail.
        return (int) ((long) batchSize * limit / 100);
    }

    /** Whether {@code failed} hosts of a batch of {@code batchSize} are more than the budget allows. */
    boolean exceededBy(int failed, int batchSize) {
        return failed > allowed(batchSize);
    }

    /** The budget as a step message names it, e.g. "at most 10% failed hosts per batch (0 of 4 hosts)". */
    String describe(int batchSize) {
        if (limit == 0) {
            return "no failed hosts";
        }
        if (!percent) {
            return "at most " + limit + " failed host" + (limit == 1 ? "" : "s") + " per batch";
        }
        int allowed = allowed(batchSize);
        return "at most " + limit + "% failed hosts per batch (" + allowed + " of " + batchSize + " host" + (batchSize == 1 ? "" : "s")
                + ", rounded down)";
    }
}
