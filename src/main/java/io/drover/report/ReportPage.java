package io.drover.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code drover-report.html}: the page template ({@value #TEMPLATE}, plain HTML with its styles and script inline, so
 * the page needs no network to be viewed) with the run's JSON embedded in a {@code <script type="application/json">}
 * element. The JSON is made inert there: every {@code <}, {@code >} and {@code &} becomes a JSON escape, so no text a host
 * sends can close the element or start markup, and the script shows hosts' words only as text.
 */
final class ReportPage {
    static final String TEMPLATE = "drover-report.html";
    /** Where the template takes the run's JSON. */
    static final String PLACEHOLDER = "/*DROVER_RUN_JSON*/";
    private static final String TEMPLATE_TEXT = load();

    private ReportPage() {
    }

    static String render(String json) {
        int at = TEMPLATE_TEXT.indexOf(PLACEHOLDER);
        return TEMPLATE_TEXT.substring(0, at) + inert(json) + TEMPLATE_TEXT.substring(at + PLACEHOLDER.length());
    }

    /**
     * {@code json} with the characters that mean something to an HTML parser inside a script element escaped. These
     * characters only ever occur inside JSON strings, where the escapes mean the same characters, so the document
     * parses back unchanged.
     */
    static String inert(String json) {
        StringBuilder out = new StringBuilder(json.length() + 64);
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            switch (c) {
                case '<' -> out.append("\\u003c");
                case '>' -> out.append("\\u003e");
                case '&' -> out.append("\\u0026");
                case '\u2028' -> out.append("\\u2028");
                case '\u2029' -> out.append("\\u2029");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String load() {
        try (InputStream in = ReportPage.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException("The fleet report's template " + TEMPLATE + " is missing from the class path next to "
                        + ReportPage.class.getName() + "; rebuild drover.jar");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!text.contains(PLACEHOLDER)) {
                throw new IllegalStateException("The fleet report's template " + TEMPLATE + " has no " + PLACEHOLDER + "; rebuild drover.jar");
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the fleet report's template " + TEMPLATE, e);
        }
    }
}
