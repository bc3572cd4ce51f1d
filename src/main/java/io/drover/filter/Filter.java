package io.drover.filter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A discovery filter: which nodes a request is for. Immutable; one parser and evaluator serve the client
 * (which sends {@link #toString()}) and the agent (which parses it back and evaluates it on its own facts).
 *
 * <p>The language: {@code class(roles::web)} or a bare class name or {@code /regex/}; {@code identity(web01)}
 * or {@code identity(/^web/)}; {@code agent(firewall)}; fact comparisons {@code country == de},
 * {@code cpus >= 4}, {@code os.family =~ /debian/i} with {@code == = != < <= > >= =~ !~}; combined with
 * {@code and}, {@code or}, {@code not} (or {@code !}) and parentheses. {@code not} binds tighter than
 * {@code and}, which binds tighter than {@code or}.
 */
public final class Filter {
    private static final Logger LOG = LoggerFactory.getLogger(Filter.class);
    private static final Filter ALL = new Filter(null);
    /** Time one evaluation on one node may take before it counts as no match. */
    static final long EVALUATION_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Expr root;
    private final String canonical;

    private Filter(Expr root) {
        this.root = root;
        if (root == null) {
            this.canonical = "";
        } else {
            StringBuilder out = new StringBuilder();
            root.render(out);
            this.canonical = out.toString();
        }
    }

    /** The filter that selects every node. */
    public static Filter all() {
        return ALL;
    }

    /**
     * Parses a filter expression.
     *
     * @throws FilterSyntaxException naming the position of the first problem; an empty expression is an error,
     *                               never a silent match-all
     */
    public static Filter parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        return new Filter(Parser.parse(expression));
    }

    /** Nodes having a class: an exact name such as {@code roles::dev_server} or a {@code /regex/}. */
    public static Filter ofClass(String nameOrRegex) {
        return new Filter(new ClassTerm(Parser.parseName(nameOrRegex, "class")));
    }

    /** Nodes whose identity is the given name or matches the {@code /regex/}. */
    public static Filter ofIdentity(String nameOrRegex) {
        return new Filter(new IdentityTerm(Parser.parseName(nameOrRegex, "identity")));
    }

    /** Nodes with the given agent plugin enabled. */
    public static Filter ofAgent(String name) {
        return new Filter(new AgentTerm(Parser.parseName(name, "agent")));
    }

    /** Nodes whose fact satisfies one comparison such as {@code country=de} or {@code cpus>=4}. */
    public static Filter ofFact(String comparison) {
        return new Filter(Parser.parseFactComparison(comparison));
    }

    /** Nodes matching both this filter and {@code other}. */
    public Filter and(Filter other) {
        if (other.root == null) {
            return this;
        }
        if (root == null) {
            return other;
        }
        List<Expr> operands = new ArrayList<>();
        flattenAnd(root, operands);
        flattenAnd(other.root, operands);
        return new Filter(new Expr.And(operands));
    }

    private static void flattenAnd(Expr expr, List<Expr> into) {
        if (expr instanceof Expr.And and) {
            into.addAll(and.operands());
        } else {
            into.add(expr);
        }
    }

    /** True for the filter that selects every node. */
    public boolean isAll() {
        return root == null;
    }

    /**
     * Evaluates the filter on a node. An evaluation that runs past its time budget (a pathological regex)
     * counts as no match and is logged.
     */
    public boolean matches(NodeView node) {
        return matches(node, EVALUATION_BUDGET_NANOS);
    }

    /** {@link #matches(NodeView)} with another time budget: tests on a loaded machine need a generous one. */
    boolean matches(NodeView node, long budgetNanos) {
        if (root == null) {
            return true;
        }
        try {
            return root.matches(node, new Evaluation(budgetNanos));
        } catch (Evaluation.BudgetExceeded e) {
            LOG.warn("Filter evaluation on {} exceeded {} ms, treated as no match: {}", node.identity(),
                    TimeUnit.NANOSECONDS.toMillis(budgetNanos), canonical);
            return false;
        }
    }

    /** The canonical expression; parsing it gives an equal filter. Empty for {@link #all()}. */
    @Override
    public String toString() {
        return canonical;
    }

    /** How to show the filter to a person: the expression, or "all nodes". */
    public String describe() {
        return root == null ? "all nodes" : canonical;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Filter that && canonical.equals(that.canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }
}
