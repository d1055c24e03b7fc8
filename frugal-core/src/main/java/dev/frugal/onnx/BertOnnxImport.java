package dev.frugal.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * The result of mapping a BERT ONNX graph onto Hugging Face {@code BertModel} parameter names.
 *
 * @param config  hyper-parameters derived from the graph
 * @param weights parameters in {@code BertModel.named_parameters()} order, Linear weights in {@code (out, in)} layout
 * @param sources for each parameter name, the ONNX initializer it came from, with {@code " (transposed)"} appended
 *                when the stored {@code [in, out]} MatMul operand was transposed
 */
public record BertOnnxImport(BertGraphConfig config, SequencedMap<String, WeightTensor> weights,
                             Map<String, String> sources) {

    public BertOnnxImport {
        Objects.requireNonNull(config, "config");
        weights = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(weights));
        sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }

    /** Total number of parameters. */
    public long parameterCount() {
        return weights.values().stream().mapToLong(WeightTensor::numel).sum();
    }
}
