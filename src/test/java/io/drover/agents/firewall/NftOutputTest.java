package io.drover.agents.firewall;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.drover.agents.firewall.IptablesFirewallTest.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NftOutputTest {
    @Test
    void setElementsAreAddressesAndPrefixes() {
        assertEquals(List.of("10.77.3.1", "198.51.100.0/24", "203.0.113.9"), NftOutput.setElements(fixture("nft-list-set-blocked4.json")));
        assertEquals(List.of("2001:db8::1", "2001:db8:0:1::/64", "fd00::1:0:0:5"), NftOutput.setElements(fixture("nft-list-set-blocked6.json")));
        assertEquals(List.of(), NftOutput.setElements(fixture("nft-list-set-empty.json")));
    }

    @Test
    void elementsWithOptionsAreUnwrappedAndRangesLeftOut() {
        String json = "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"set\": {\"family\": \"inet\", \"name\": \"blocked4\", "
                + "\"table\": \"drover\", \"elem\": [{\"elem\": {\"val\": \"192.0.2.1\", \"comment\": \"by hand\"}}, "
                + "{\"elem\": {\"val\": {\"prefix\": {\"addr\": \"10.0.0.0\", \"len\": 8}}, \"timeout\": 60}}, "
                + "{\"range\": [\"192.0.2.10\", \"192.0.2.20\"]}]}}]}";
        assertEquals(List.of("192.0.2.1", "10.0.0.0/8"), NftOutput.setElements(json));
    }

    @Test
    void outputThatIsNotASetListingIsRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NftOutput.setElements("table inet drover {"))
                .getMessage().startsWith("not JSON: "));
        assertEquals("no \"nftables\" array in it", assertThrows(IllegalArgumentException.class,
                () -> NftOutput.setElements("{\"tables\": []}")).getMessage());
        assertEquals("no set in it", assertThrows(IllegalArgumentException.class,
                () -> NftOutput.setElements(fixture("nft-list-chain.json"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NftOutput.setElements(
                "{\"nftables\": [{\"set\": {\"elem\": [{\"concat\": [\"a\", \"b\"]}]}}]}")).getMessage().startsWith("unexpected set element"));
    }

    @Test
    void dropRulesMustBothBeThere() {
        assertTrue(NftOutput.hasDropRules(fixture("nft-list-chain.json"), "blocked4", "blocked6"));
        assertFalse(NftOutput.hasDropRules(fixture("nft-list-chain-without-rules.json"), "blocked4", "blocked6"));
        assertFalse(NftOutput.hasDropRules(fixture("nft-list-chain.json"), "other4", "blocked6"), "rules for other sets are not Drover's");
        String onlyIpv4 = fixture("nft-list-chain.json").replace("\"protocol\": \"ip6\"", "\"protocol\": \"ip\"");
        assertFalse(NftOutput.hasDropRules(onlyIpv4, "blocked4", "blocked6"));
        String accepts = fixture("nft-list-chain.json").replace("{\"drop\": null}", "{\"accept\": null}");
        assertFalse(NftOutput.hasDropRules(accepts, "blocked4", "blocked6"));
        String output = fixture("nft-list-chain.json").replace("\"hook\": \"input\"", "\"hook\": \"output\"");
        assertFalse(NftOutput.hasDropRules(output, "blocked4", "blocked6"));
    }

    @Test
    void printedElementsOfGetElement() {
        assertEquals(Set.of("10.77.3.1"), NftOutput.printedElements(fixture("nft-get-element-host.txt")));
        assertEquals(Set.of("198.51.100.0/24"), NftOutput.printedElements(fixture("nft-get-element-inside-network.txt")));
        assertEquals(Set.of("2001:db8::1"), NftOutput.printedElements(fixture("nft-get-element-ipv6.txt")));
        assertEquals(Set.of("192.0.2.1"), NftOutput.printedElements("elements = { 192.0.2.10-192.0.2.20, 192.0.2.1 }"));
        assertEquals(Set.of(), NftOutput.printedElements(""));
    }
}
