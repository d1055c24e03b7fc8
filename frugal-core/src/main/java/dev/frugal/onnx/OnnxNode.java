package dev.frugal.onnx;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One graph node ({@code NodeProto}).
 *
 * @param name       node name (may be empty)
 * @param opType     operator, e.g. {@code MatMul}, {@code Add}, {@code LayerNormalization}
 * @param domain     operator domain; empty for the default ONNX domain
 * @param inputs     input value names in order; an empty string marks an omitted optional input
 * @param outputs    output value names in order
 * @param attributes attributes by name, in file order
 */
public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, OnnxAttribute> attributes) {

    public OnnxNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opType, "opType");
        Objects.requireNonNull(domain, "domain");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    }

    /** The attribute called {@code attributeName}, if present. */
    public Optional<OnnxAttribute> attribute(String attributeName) {
        return Optional.ofNullable(attributes.get(attributeName));
    }

    /** Input {@code i}, or the empty string when the node has fewer inputs. */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    /** Output {@code i}, or the empty string when the node has fewer outputs. */
    public String output(int i) {
        return i < outputs.size() ? outputs.get(i) : "";
    }
}
