package io.drover.filter;

/** {@code agent(name)}: the node has that agent plugin enabled. */
record AgentTerm(TextMatch match) implements Expr {
    @Override
    public boolean matches(NodeView node, Evaluation evaluation) {
        return match.isRegex() ? match.matchesAny(node.agents(), evaluation) : node.agents().contains(match.text());
    }

    @Override
    public int precedence() {
        return TERM;
    }

    @Override
    public void render(StringBuilder out) {
        out.append("agent(");
        match.render(out);
        out.append(')');
    }
}
