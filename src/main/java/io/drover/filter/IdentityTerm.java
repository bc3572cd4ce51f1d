package io.drover.filter;

/** {@code identity(name)} or {@code identity(/regex/)}: the node's identity matches. */
record IdentityTerm(TextMatch match) implements Expr {
    @Override
    public boolean matches(NodeView node, Evaluation evaluation) {
        return match.matches(node.identity(), evaluation);
    }

    @Override
    public int precedence() {
        return TERM;
    }

    @Override
    public void render(StringBuilder out) {
        out.append("identity(");
        match.render(out);
        out.append(')');
    }
}
