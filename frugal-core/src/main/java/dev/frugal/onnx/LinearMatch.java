package dev.frugal.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A fully connected layer found in an ONNX graph: {@code y = x·W + b} exported by PyTorch either as
 * {@code MatMul(x, W) → Add(b)} with {@code W} stored {@code [in, out]}, or as {@code Gemm(x, W, b)} with
 * {@code transB=1} and {@code W} stored {@code [out, in]}.
 *
 * @param input      the activation value the layer reads
 * @param output     the value after the bias add
 * @param weight     the weight initializer as stored in the file
 * @param bias       the bias initializer {@code (out)}
 * @param transposed true when {@code weight} is stored {@code [in, out]} and must be transposed for PyTorch's
 *                   {@code nn.Linear} layout {@code [out, in]}
 * @param position   position of the weight-consuming node in graph order
 */
public record LinearMatch(String input, String output, OnnxInitializer weight, OnnxInitializer bias,
                          boolean transposed, int position) {

    public LinearMatch {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
        if (weight.dims().length != 2 || bias.dims().length != 1) {
            throw new IllegalArgumentException("linear weight must be 2-D and bias 1-D, got " + weight + " and " + bias);
        }
    }

    /** Output features. */
    public long outFeatures() {
        return weight.dims()[transposed ? 1 : 0];
    }

    /** Input features. */
    public long inFeatures() {
        return weight.dims()[transposed ? 0 : 1];
    }

    /** The weight in PyTorch {@code nn.Linear} layout {@code (out, in)}, row-major. */
    public float[] weightOutIn() {
        float[] w = weight.toFloats();
        if (!transposed) {
            return w;
        }
        int in = (int) inFeatures();
        int out = (int) outFeatures();
        float[] t = new float[w.length];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                t[o * in + i] = w[i * out + o]; // [in, out] → [out, in]
            }
        }
        return t;
    }

    /** All linear layers of {@code graph}, in graph order. */
    public static List<LinearMatch> findAll(OnnxGraph graph) {
        List<LinearMatch> found = new ArrayList<>();
        for (OnnxNode n : graph.model().nodes()) {
            switch (n.opType()) {
                case "MatMul" -> matMulAdd(graph, n).ifPresent(found::add);
                case "Gemm" -> gemm(graph, n).ifPresent(found::add);
                default -> { }
            }
        }
        return found;
    }

    private static Optional<LinearMatch> matMulAdd(OnnxGraph graph, OnnxNode matMul) {
        Optional<OnnxInitializer> w = floatInit(graph, matMul.input(1), 2);
        if (w.isEmpty()) {
            return Optional.empty();
        }
        Optional<OnnxNode> add = graph.onlyConsumer(matMul.output(0), "Add");
        if (add.isEmpty()) {
            return Optional.empty();
        }
        OnnxNode a = add.get();
        String other = a.input(0).equals(matMul.output(0)) ? a.input(1) : a.input(0);
        return floatInit(graph, other, 1)
                .filter(b -> b.dims()[0] == w.get().dims()[1])
                .map(b -> new LinearMatch(matMul.input(0), a.output(0), w.get(), b, true, graph.position(matMul)));
    }

    private static Optional<LinearMatch> gemm(OnnxGraph graph, OnnxNode gemm) {
        boolean transB = gemm.attribute("transB").orElse(null) instanceof OnnxAttribute.IntValue iv && iv.value() == 1;
        Optional<OnnxInitializer> w = floatInit(graph, gemm.input(1), 2);
        Optional<OnnxInitializer> b = floatInit(graph, gemm.input(2), 1);
        if (w.isEmpty() || b.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LinearMatch(gemm.input(0), gemm.output(0), w.get(), b.get(), !transB,
                graph.position(gemm)));
    }

    private static Optional<OnnxInitializer> floatInit(OnnxGraph graph, String value, int rank) {
        if (!graph.isInitializer(value)) {
            return Optional.empty();
        }
        return graph.constant(value).filter(t -> t.type() == OnnxDataType.FLOAT && t.dims().length == rank);
    }
}
