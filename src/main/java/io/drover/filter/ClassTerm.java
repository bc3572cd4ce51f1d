package io.drover.filter;

/** {@code class(name)} or {@code class(/regex/)}: the node has a matching class. */
record ClassTerm(TextMatch match) implements Expr {
    @Override
    public boolean matches(NodeView node, Evaluation evaluation) {
        return match.isRegex() ? match.matchesAny(node.classes(), evaluation) : node.classes().contains(match.text());
    }

    @Override
    public int precedence() {
        return TERM;
    }

    @Override
    public void render(StringBuilder out) {
        out.append("class(");
        match.render(out);
        out.append(')');
    }
}
