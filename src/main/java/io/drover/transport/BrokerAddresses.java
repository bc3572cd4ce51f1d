package io.drover.transport;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.DnsRecordIpAddressResolver;

import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker addresses of a connector, tried in the order given: the first is preferred, the others are tried in
 * turn when it cannot be reached, on the first connection and on every automatic recovery alike.
 *
 * <p>Why not amqp-client's own choice: for several addresses it uses {@code ListAddressResolver}, whose
 * {@code maybeShuffle} (the interface's default) shuffles the list before every attempt, so an agent listing
 * brokers 1, 2, 3 connected to any of them. An operator who lists a local broker first, or a standby last, means
 * that order. A host name with several IP addresses stands for all of them, in the order DNS gives (the library's
 * resolver for a single URI shuffled those too). A connection that failed over stays where it is when the preferred broker returns (moving back
 * would drop every agent's connection again, mid-deploy); its next reconnection starts from the first address.
 */
final class BrokerAddresses implements AddressResolver {
    private final List<Address> addresses;
    private final boolean tls;

    BrokerAddresses(List<Address> addresses, boolean tls) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("No broker address given");
        }
        this.addresses = List.copyOf(addresses);
        this.tls = tls;
    }

    /** The addresses as configured, before DNS. */
    List<Address> configured() {
        return addresses;
    }

    /**
     * Every address to try, in order, resolved again on each attempt (a broker's IP may change while an agent runs).
     * A name that does not resolve stays as it is: trying it then fails with the unknown host, at its turn.
     */
    @Override
    public List<Address> getAddresses() {
        List<Address> out = new ArrayList<>();
        for (Address address : addresses) {
            try {
                out.addAll(new DnsRecordIpAddressResolver(address, tls).getAddresses());
            } catch (UnknownHostException e) {
                out.add(address);
            }
        }
        return out;
    }

    /** Keeps the order: the list is the operator's preference, not a pool to spread over. */
    @Override
    public List<Address> maybeShuffle(List<Address> input) {
        return input;
    }
}
