package io.drover.filter;

import java.util.Map;
import java.util.Set;

/** What a filter can see of a node: its identity, Puppet-style classes, facts and enabled agents. */
public interface NodeView {
    String identity();

    Set<String> classes();

    /** Facts, possibly nested: values are strings, numbers, booleans, lists and maps. */
    Map<String, Object> facts();

    Set<String> agents();
}
