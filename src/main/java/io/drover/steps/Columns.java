package io.drover.steps;

import io.drover.report.HostTable;

import java.util.List;

/** Renders rows of cells as a text table like {@link io.drover.client.HostTable}'s, for the steps' own tables. */
final class Columns {
    private static final int MAX_CELL = 160;

    private Columns() {
    }

    /** The first row is the header. */
    static String render(List<String[]> cells) {
        int[] widths = new int[cells.get(0).length];
        String[][] flat = new String[cells.size()][];
        for (int r = 0; r < cells.size(); r++) {
            String[] line = cells.get(r);
            flat[r] = new String[line.length];
            for (int i = 0; i < line.length; i++) {
                flat[r][i] = oneLine(line[i]);
                widths[i] = Math.max(widths[i], flat[r][i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : flat) {
            out.append("  |");
            for (int i = 0; i < line.length; i++) {
                out.append(' ').append(line[i]).append(" ".repeat(widths[i] - line[i].length())).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String oneLine(String text) {
        String flat = text == null ? "" : text.replace("\r", "").replace('\n', ' ').replace('|', '/').strip();
        return flat.length() > MAX_CELL ? flat.substring(0, MAX_CELL - 3) + "..." : flat;
    }
}
