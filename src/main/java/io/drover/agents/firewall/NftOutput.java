package io.drover.agents.firewall;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.catalog.IpAddress;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what nft prints: {@code nft -j list set}, {@code nft -j list chain} and {@code nft get element}. */
final class NftOutput {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code elements = { 10.0.0.0/8, 10.9.9.9 }}; nft 1.0.6 prints {@code get element} as text even with -j. */
    private static final Pattern ELEMENTS = Pattern.compile("elements\\s*=\\s*\\{([^}]*)}");

    private NftOutput() {
    }

    /**
     * The elements of the set in {@code nft -j list set} output, canonical. An element is an address string or a
     * {@code prefix} object for a network; a {@code range} (only made by hand, never by Drover) is left out.
     */
    static List<String> setElements(String json) {
        JsonNode set = null;
        for (JsonNode entry : objects(json)) {
            if (entry.has("set")) {
                set = entry.get("set");
            }
        }
        if (set == null) {
            throw new IllegalArgumentException("no set in it");
        }
        List<String> addresses = new ArrayList<>();
        for (JsonNode element : set.path("elem")) {
            String address = address(element);
            if (address != null) {
                addresses.add(address);
            }
        }
        return addresses;
    }

    private static String address(JsonNode element) {
        if (element.isTextual()) {
            return IpAddress.parse(element.asText()).toString();
        }
        if (element.has("prefix")) {
            JsonNode prefix = element.get("prefix");
            return IpAddress.parse(prefix.path("addr").asText() + "/" + prefix.path("len").asInt()).toString();
        }
        if (element.has("elem")) {
            // an element with options (timeout, counter, comment) wraps its value
            return address(element.get("elem").path("val"));
        }
        if (element.has("range")) {
            return null;
        }
        throw new IllegalArgumentException("unexpected set element " + element);
    }

    /**
     * Whether {@code nft -j list chain} output shows an input hook and both of Drover's rules,
     * {@code ip saddr @SET4 drop} and {@code ip6 saddr @SET6 drop}.
     */
    static boolean hasDropRules(String json, String set4, String set6) {
        boolean hooked = false;
        boolean drops4 = false;
        boolean drops6 = false;
        for (JsonNode entry : objects(json)) {
            if (entry.has("chain")) {
                hooked = "input".equals(entry.get("chain").path("hook").asText());
            } else if (entry.has("rule")) {
                JsonNode expr = entry.get("rule").path("expr");
                drops4 |= dropsFrom(expr, "ip", set4);
                drops6 |= dropsFrom(expr, "ip6", set6);
            }
        }
        return hooked && drops4 && drops6;
    }

    private static boolean dropsFrom(JsonNode expr, String protocol, String set) {
        if (expr.size() != 2 || !expr.get(1).has("drop")) {
            return false;
        }
        JsonNode match = expr.get(0).path("match");
        JsonNode payload = match.path("left").path("payload");
        return "==".equals(match.path("op").asText())
                && protocol.equals(payload.path("protocol").asText())
                && "saddr".equals(payload.path("field").asText())
                && ("@" + set).equals(match.path("right").asText());
    }

    /** The elements in the text that {@code nft get element} prints, canonical; others (ranges) left out. */
    static Set<String> printedElements(String text) {
        Set<String> elements = new LinkedHashSet<>();
        Matcher matcher = ELEMENTS.matcher(text);
        while (matcher.find()) {
            for (String item : matcher.group(1).split(",")) {
                String[] words = item.strip().split("\\s+");
                try {
                    elements.add(IpAddress.parse(words[0]).toString());
                } catch (IllegalArgumentException e) {
                    // a range such as 10.0.0.1-10.0.0.9: never one of Drover's entries
                }
            }
        }
        return elements;
    }

    /** The objects of the top-level {@code nftables} array. */
    private static List<JsonNode> objects(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        JsonNode array = root == null ? null : root.get("nftables");
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("no \"nftables\" array in it");
        }
        List<JsonNode> objects = new ArrayList<>();
        array.forEach(objects::add);
        return objects;
    }
}
