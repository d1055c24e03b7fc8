package dev.frugal.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Dataflow index over an {@link OnnxModel}: which node produces each value, which nodes consume it, and the constant
 * tensor behind a value (an initializer or a {@code Constant} node's output). Pattern matchers such as
 * {@link LinearMatch} and {@link LayerNormMatch} walk the graph through this index.
 */
public final class OnnxGraph {

    private final OnnxModel model;
    private final Map<String, OnnxNode> producers = new HashMap<>();
    private final Map<String, List<OnnxNode>> consumers = new HashMap<>();
    private final Map<OnnxNode, Integer> order = new HashMap<>();
    private final Map<String, OnnxInitializer> constants = new HashMap<>();

    /** Indexes {@code model}. */
    public OnnxGraph(OnnxModel model) {
        this.model = Objects.requireNonNull(model, "model");
        constants.putAll(model.initializers());
        int k = 0;
        for (OnnxNode n : model.nodes()) {
            order.put(n, k++);
            for (String out : n.outputs()) {
                producers.put(out, n);
            }
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, x -> new ArrayList<>()).add(n);
                }
            }
            if (n.opType().equals("Constant") && n.attribute("value").orElse(null)
                    instanceof OnnxAttribute.TensorValue tv) {
                constants.put(n.output(0), tv.value());
            }
        }
    }

    /** The indexed model. */
    public OnnxModel model() {
        return model;
    }

    /** The node that produces {@code value}; empty for graph inputs, initializers and unknown names. */
    public Optional<OnnxNode> producer(String value) {
        return Optional.ofNullable(producers.get(value));
    }

    /** The nodes that read {@code value}, in graph order. */
    public List<OnnxNode> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** The single consumer of {@code value} with op type {@code opType}, if there is exactly one. */
    public Optional<OnnxNode> onlyConsumer(String value, String opType) {
        List<OnnxNode> c = consumers(value).stream().filter(n -> n.opType().equals(opType)).toList();
        return c.size() == 1 ? Optional.of(c.getFirst()) : Optional.empty();
    }

    /** Position of {@code node} in the (topologically sorted) node list. */
    public int position(OnnxNode node) {
        Integer p = order.get(node);
        if (p == null) {
            throw new IllegalArgumentException("node '" + node.name() + "' is not in this graph");
        }
        return p;
    }

    /** The constant tensor behind {@code value}: an initializer or a {@code Constant} node's output. */
    public Optional<OnnxInitializer> constant(String value) {
        return Optional.ofNullable(constants.get(value));
    }

    /** True when {@code value} is an initializer (a trained weight or a stored constant). */
    public boolean isInitializer(String value) {
        return model.initializers().containsKey(value);
    }

    /**
     * Walks backwards from {@code value} over data inputs (a {@code Reshape}'s shape input and constant inputs are not
     * followed) and returns the values that satisfy {@code stop}, without walking past them. Used to find which
     * projection a tensor came from, e.g. the query or key Linear behind an attention score MatMul.
     */
    public Set<String> ancestorsWhere(String value, Predicate<String> stop) {
        Set<String> found = new LinkedHashSet<>();
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.push(value);
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (!seen.add(v)) {
                continue;
            }
            if (stop.test(v)) {
                found.add(v);
                continue;
            }
            OnnxNode p = producers.get(v);
            if (p == null) {
                continue;
            }
            List<String> data = switch (p.opType()) {
                case "Reshape", "Expand", "Slice", "Gather", "Unsqueeze", "Squeeze" -> List.of(p.input(0));
                case "Shape" -> List.of();
                default -> p.inputs();
            };
            for (String in : data) {
                if (!in.isEmpty() && !constants.containsKey(in)) {
                    todo.push(in);
                }
            }
        }
        return found;
    }
}
