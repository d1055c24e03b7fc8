package dev.frugal.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A layer normalisation found in an ONNX graph, either as one {@code LayerNormalization} node (opset ≥ 17) or in the
 * decomposed form PyTorch exports for older opsets:
 * <pre>
 *   μ = ReduceMean(x);  d = Sub(x, μ);  σ² = ReduceMean(Pow(d, 2));
 *   y = Add(Mul(Div(d, Sqrt(Add(σ², ε))), γ), β)
 * </pre>
 *
 * @param input    the normalised value {@code x}
 * @param output   the value {@code y}
 * @param gamma    scale initializer {@code (C)}
 * @param beta     shift initializer {@code (C)}
 * @param epsilon  ε, from the {@code epsilon} attribute or the constant added to the variance
 * @param position position of the node that produces {@code y}, in graph order
 */
public record LayerNormMatch(String input, String output, OnnxInitializer gamma, OnnxInitializer beta, float epsilon,
                             int position) {

    public LayerNormMatch {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(gamma, "gamma");
        Objects.requireNonNull(beta, "beta");
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("layer norm epsilon must be > 0, got " + epsilon);
        }
    }

    /** All layer norms of {@code graph}, in graph order. */
    public static List<LayerNormMatch> findAll(OnnxGraph graph) {
        List<LayerNormMatch> found = new ArrayList<>();
        for (OnnxNode n : graph.model().nodes()) {
            switch (n.opType()) {
                case "LayerNormalization" -> fused(graph, n).ifPresent(found::add);
                case "Sqrt" -> decomposed(graph, n).ifPresent(found::add);
                default -> { }
            }
        }
        found.sort(java.util.Comparator.comparingInt(LayerNormMatch::position));
        return found;
    }

    private static Optional<LayerNormMatch> fused(OnnxGraph graph, OnnxNode ln) {
        float eps = ln.attribute("epsilon").orElse(null) instanceof OnnxAttribute.FloatValue f ? f.value() : 1e-5f;
        Optional<OnnxInitializer> g = graph.constant(ln.input(1));
        Optional<OnnxInitializer> b = graph.constant(ln.input(2));
        if (g.isEmpty() || b.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LayerNormMatch(ln.input(0), ln.output(0), g.get(), b.get(), eps, graph.position(ln)));
    }

    private static Optional<LayerNormMatch> decomposed(OnnxGraph graph, OnnxNode sqrt) {
        // Sqrt(Add(σ², ε)): ε is the scalar constant input of the Add
        Optional<OnnxNode> addEps = graph.producer(sqrt.input(0)).filter(n -> n.opType().equals("Add"));
        if (addEps.isEmpty()) {
            return Optional.empty();
        }
        Optional<Float> eps = scalar(graph, addEps.get().input(1)).or(() -> scalar(graph, addEps.get().input(0)));
        Optional<OnnxNode> div = graph.onlyConsumer(sqrt.output(0), "Div");
        if (eps.isEmpty() || div.isEmpty()) {
            return Optional.empty();
        }
        // Div(d, σ) where d = Sub(x, μ)
        Optional<OnnxNode> sub = graph.producer(div.get().input(0)).filter(n -> n.opType().equals("Sub"));
        Optional<OnnxNode> mul = graph.onlyConsumer(div.get().output(0), "Mul");
        if (sub.isEmpty() || mul.isEmpty()) {
            return Optional.empty();
        }
        Optional<OnnxInitializer> gamma = otherConstant(graph, mul.get(), div.get().output(0));
        Optional<OnnxNode> add = graph.onlyConsumer(mul.get().output(0), "Add");
        if (gamma.isEmpty() || add.isEmpty()) {
            return Optional.empty();
        }
        Optional<OnnxInitializer> beta = otherConstant(graph, add.get(), mul.get().output(0));
        return beta.map(b -> new LayerNormMatch(sub.get().input(0), add.get().output(0), gamma.get(), b, eps.get(),
                graph.position(add.get())));
    }

    private static Optional<Float> scalar(OnnxGraph graph, String value) {
        return graph.constant(value).filter(t -> t.type() == OnnxDataType.FLOAT && t.numel() == 1)
                .map(OnnxInitializer::scalarFloat);
    }

    /** The 1-D float initializer that {@code node} combines with {@code value}. */
    private static Optional<OnnxInitializer> otherConstant(OnnxGraph graph, OnnxNode node, String value) {
        String other = node.input(0).equals(value) ? node.input(1) : node.input(0);
        return graph.constant(other).filter(t -> t.type() == OnnxDataType.FLOAT && t.dims().length == 1);
    }
}
