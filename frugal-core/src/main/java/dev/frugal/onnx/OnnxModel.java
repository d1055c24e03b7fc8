package dev.frugal.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parts of an ONNX {@code ModelProto} that weight import needs: the main graph's nodes (in file order, which
 * ONNX requires to be topological), its initializers, and the names of its real inputs and outputs.
 *
 * @param irVersion    the model's {@code ir_version}
 * @param producer     {@code producer_name producer_version}, e.g. {@code pytorch 2.0.1}
 * @param opsets       opset version by domain ({@code ""} is the default ONNX domain)
 * @param nodes        graph nodes in order
 * @param initializers initializers by name, in file order
 * @param inputs       graph input names that are not initializers (e.g. {@code input_ids})
 * @param outputs      graph output names (e.g. {@code last_hidden_state})
 */
public record OnnxModel(long irVersion, String producer, Map<String, Long> opsets, List<OnnxNode> nodes,
                        Map<String, OnnxInitializer> initializers, List<String> inputs, List<String> outputs) {

    public OnnxModel {
        Objects.requireNonNull(producer, "producer");
        opsets = Map.copyOf(opsets);
        nodes = List.copyOf(nodes);
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** Total number of elements over all initializers. */
    public long initializerElements() {
        return initializers.values().stream().mapToLong(OnnxInitializer::numel).sum();
    }
}
