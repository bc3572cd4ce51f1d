package io.drover.steps;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sizes of a rollout's batches, as a batch step states them: one size ({@code 2}, {@code 25%}) or a ramp
 * ({@code 1, 5 and 25%}) whose last size repeats until every host is in a batch. A percentage is of the whole
 * discovered fleet and rounds up, so a batch is never empty: 25% of 10 hosts is 3. Batches are cut from the hosts in
 * sorted identity order and never overlap.
 *
 * @param sizes each size in order: a count, or a percentage when {@code percent} says so
 */
record BatchSizes(List<Size> sizes) {
    /** The longest ramp a step may state; a longer one is a typo, not a plan. */
    static final int MAX_SIZES = 100;
    private static final Pattern ONE = Pattern.compile("(\\d{1,9})(%?)");
    private static final Pattern LIST = Pattern.compile("\\s*(?:,|\\band\\b)\\s*");

    /** One batch size: {@code value} hosts, or {@code value}% of the fleet. */
    record Size(int value, boolean percent) {
        /** How many hosts a batch of this size takes from a fleet of {@code fleet} hosts, before what is left caps it. */
        int of(int fleet) {
            if (!percent) {
                return value;
            }
            // Exact in long arithmetic, rounding up: 25% of 10 hosts is 3, and 1% of 1 host is 1.
            return (int) (((long) fleet * value + 99) / 100);
        }

        @Override
        public String toString() {
            return value + (percent ? "%" : "");
        }
    }

    BatchSizes {
        sizes = List.copyOf(sizes);
    }

    /** Parses {@code 2}, {@code 25%}, {@code 1, 5 and 25%}; fails saying what is wrong and what would do. */
    static BatchSizes parse(String text) {
        String trimmed = text.strip();
        String usage = "; write a count or a percentage, or a ramp such as 'I update hosts in batches of 1, 5 and 25%'";
        if (trimmed.isEmpty() || trimmed.length() > 1_000) {
            throw new AssertionError("'" + shorten(trimmed) + "' is not a batch size" + usage);
        }
        String[] parts = LIST.split(trimmed, -1);
        if (parts.length > MAX_SIZES) {
            throw new AssertionError("A ramp of " + parts.length + " batch sizes is too long (at most " + MAX_SIZES + ")" + usage);
        }
        List<Size> sizes = new ArrayList<>();
        for (String part : parts) {
            Matcher matcher = ONE.matcher(part.strip());
            if (!matcher.matches()) {
                throw new AssertionError("'" + shorten(part.strip()) + "' in '" + shorten(trimmed) + "' is not a batch size" + usage);
            }
            int value = Integer.parseInt(matcher.group(1));
            boolean percent = !matcher.group(2).isEmpty();
            if (value < 1 || percent && value > 100) {
                throw new AssertionError("A batch size must be " + (percent ? "1 to 100%" : "at least 1 host") + ", not "
                        + matcher.group() + usage);
            }
            sizes.add(new Size(value, percent));
        }
        return new BatchSizes(sizes);
    }

    /** {@code hosts}, in their sorted order, cut into batches: each size in turn, the last one repeating. */
    List<List<String>> cut(Collection<String> hosts) {
        List<String> sorted = hosts.stream().sorted().distinct().toList();
        List<List<String>> batches = new ArrayList<>();
        int from = 0;
        int next = 0;
        while (from < sorted.size()) {
            Size size = sizes.get(Math.min(next++, sizes.size() - 1));
            int to = (int) Math.min(sorted.size(), (long) from + Math.max(1, size.of(sorted.size())));
            batches.add(List.copyOf(sorted.subList(from, to)));
            from = to;
        }
        return batches;
    }

    /** As a step states it, e.g. "1, 5 and 25%". */
    String describe() {
        if (sizes.size() == 1) {
            return sizes.get(0).toString();
        }
        List<String> all = sizes.stream().map(Size::toString).toList();
        return String.join(", ", all.subList(0, all.size() - 1)) + " and " + all.get(all.size() - 1);
    }

    private static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }
}
