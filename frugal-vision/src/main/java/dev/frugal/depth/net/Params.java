package dev.frugal.depth.net;

import dev.frugal.io.SafetensorsFile;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named tensors of a network: trainable parameters (leaves with requiresGrad) and buffers (BatchNorm running
 * statistics), all kept alive past any scope, in creation order; saved and restored as safetensors.
 */
public final class Params implements AutoCloseable {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Rng rng;

    /** @param rng the generator that initialises every parameter; the Params own it and close it with themselves */
    public Params(Rng rng) { this.rng = rng; }

    private Tensor add(Map<String, Tensor> into, String name, Tensor t, boolean grad) {
        if (params.containsKey(name) || buffers.containsKey(name)) throw new IllegalArgumentException("duplicate parameter " + name);
        t.keep();
        if (grad) t.requiresGrad(true);
        into.put(name, t);
        return t;
    }

    /** Kaiming-uniform weight (PyTorch's default for conv/linear): U(±1/√fanIn), shape e.g. {@code (O, I, k, k)}. */
    public Tensor weight(String name, long fanIn, long... shape) {
        try (Scope s = Scope.open()) {
            double bound = 1 / Math.sqrt(fanIn);
            return add(params, name, Tensors.zeros(shape).uniformInPlace(-bound, bound, rng), true);
        }
    }

    public Tensor constant(String name, double value, long... shape) {
        try (Scope s = Scope.open()) {
            return add(params, name, Tensors.full(value, DType.F32, dev.frugal.tensor.Device.CPU, shape), true);
        }
    }

    public Tensor buffer(String name, double value, long... shape) {
        try (Scope s = Scope.open()) {
            return add(buffers, name, Tensors.full(value, DType.F32, dev.frugal.tensor.Device.CPU, shape), false);
        }
    }

    public Tensor get(String name) {
        Tensor t = params.containsKey(name) ? params.get(name) : buffers.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter " + name);
        return t;
    }

    public List<Tensor> trainable() { return new ArrayList<>(params.values()); }

    public List<String> trainableNames() { return new ArrayList<>(params.keySet()); }

    public long count() { return params.values().stream().mapToLong(Tensor::numel).sum(); }

    /** All tensors by name (parameters then buffers). */
    public Map<String, Tensor> all() {
        Map<String, Tensor> m = new LinkedHashMap<>(params);
        m.putAll(buffers);
        return m;
    }

    /** Writes parameters, buffers and {@code extra} tensors atomically. */
    public void save(Path file, Map<String, Tensor> extra, Map<String, String> meta) {
        Map<String, Tensor> m = all();
        m.putAll(extra);
        SafetensorsWriter.write(file, m, meta);
    }

    /** Copies every parameter and buffer from {@code file}; the file must hold exactly these names and shapes. */
    public void load(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file); GradMode off = GradMode.off(); Scope s = Scope.open()) {
            for (var e : all().entrySet()) {
                if (!f.contains(e.getKey()))
                    throw new dev.frugal.UserInputException(file + " lacks " + e.getKey() + ": it was written by a different model (vibration on/off, widths?)");
                Tensor src = f.tensor(e.getKey(), DType.F32);
                if (!java.util.Arrays.equals(src.shape(), e.getValue().shape()))
                    throw new dev.frugal.UserInputException(file + ": " + e.getKey() + " has shape " + java.util.Arrays.toString(src.shape())
                            + ", the model " + java.util.Arrays.toString(e.getValue().shape()));
                e.getValue().copyFrom(src);
            }
        }
    }

    @Override
    public void close() {
        rng.close(); // the Params own the init generator they were given
        params.values().forEach(Tensor::close);
        buffers.values().forEach(Tensor::close);
        params.clear();
        buffers.clear();
    }
}
