package io.drover.agents.firewall;

import io.drover.agent.plugin.Settings;
import io.drover.catalog.IpAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

/** The sandbox provider: a firewall kept in memory, for the emulated fleet. Settings: {@code blocked}. */
public final class SandboxFirewall implements FirewallProvider {
    private final Set<String> blocked = new ConcurrentSkipListSet<>();

    public SandboxFirewall(Settings settings) {
        for (String address : settings.strings("blocked")) {
            try {
                blocked.add(IpAddress.parse(address).toString());
            } catch (IllegalArgumentException e) {
                throw settings.invalid("blocked", "'" + address + "': " + e.getMessage());
            }
        }
    }

    @Override
    public String name() {
        return "sandbox";
    }

    @Override
    public boolean block(IpAddress address) {
        return blocked.add(address.toString());
    }

    @Override
    public boolean unblock(IpAddress address) {
        return blocked.remove(address.toString());
    }

    @Override
    public boolean isBlocked(IpAddress address) {
        return blocked.contains(address.toString());
    }

    @Override
    public List<String> listBlocked() {
        return new ArrayList<>(blocked);
    }

    @Override
    public boolean blockedNow(IpAddress address) {
        return isBlocked(address);
    }

    @Override
    public List<String> listBlockedNow() {
        return listBlocked();
    }
}
