package dev.frugal.model;

import dev.frugal.io.Checkpoint;
import dev.frugal.io.TensorInfo;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Loads a checkpoint into parameter groups after checking it against what the architecture expects: every expected
 * name present with the expected shape, and no unexpected names (besides known buffers such as GPT-2's
 * {@code attn.bias}), so a wrong or truncated checkpoint fails before any compute.
 */
public final class WeightLoader {
    private final Checkpoint ckpt;
    private final Device device;

    public WeightLoader(Checkpoint ckpt, Device device) {
        this.ckpt = ckpt;
        this.device = device;
    }

    /**
     * Checks names and shapes.
     *
     * @param expected  name → shape, every parameter the architecture needs
     * @param optional  names that may be absent (e.g. a tied {@code lm_head.weight} saved anyway)
     * @param ignorable names present in some checkpoints that carry no parameter (buffers), ignored
     */
    public void verify(Map<String, long[]> expected, Set<String> optional, Predicate<String> ignorable) {
        List<String> missing = new ArrayList<>();
        for (String n : expected.keySet()) if (!ckpt.contains(n) && !optional.contains(n)) missing.add(n);
        if (!missing.isEmpty()) throw new CheckpointMismatchException(ckpt.dir(), "missing tensors for this architecture: "
                + CheckpointMismatchException.list(missing) + ". Does config.json describe this checkpoint?");
        Set<String> extra = new LinkedHashSet<>();
        for (String n : ckpt.names())
            if (!expected.containsKey(n) && !optional.contains(n) && !ignorable.test(n)) extra.add(n);
        if (!extra.isEmpty()) throw new CheckpointMismatchException(ckpt.dir(), "unexpected tensors for this architecture: "
                + CheckpointMismatchException.list(extra) + ". Does config.json (model_type, num_hidden_layers, ...)"
                + " describe this checkpoint?");
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            if (!ckpt.contains(e.getKey())) continue;
            TensorInfo i = ckpt.info(e.getKey());
            if (!Arrays.equals(i.shape(), e.getValue())) throw new CheckpointMismatchException(ckpt.dir(), "tensor '"
                    + e.getKey() + "' has shape " + Arrays.toString(i.shape()) + " but config.json implies "
                    + Arrays.toString(e.getValue()));
            if (!i.dtype().isFloating()) throw new CheckpointMismatchException(ckpt.dir(), "tensor '" + e.getKey()
                    + "' is " + i.dtype() + ", expected a floating-point weight");
        }
    }

    /** Loads {@code name} as float32 on the device into {@code group}. */
    public void load(ParamGroup group, String name) {
        try (Scope s = Scope.open()) {
            Tensor t = ckpt.tensor(name, DType.F32);
            if (device.isCuda()) t = t.to(device);
            group.put(name, t); // put() keeps it past this scope
        }
    }

    public boolean has(String name) { return ckpt.contains(name); }

    /**
     * Loads every parameter of {@code shapes} that lies outside {@code model}'s blocks into {@code model}, and pairs it
     * with a source that reads the blocks from the checkpoint one block at a time ({@link BlockSource#fromCheckpoint}),
     * so that an offloading engine can take them into its tier without the whole float32 model ever being resident.
     * The source closes the checkpoint when it is closed; on failure {@code model} is closed here.
     *
     * @param model   a freshly built model whose groups are empty
     * @param shapes  every parameter's name and shape, verified against the checkpoint ({@link #verify})
     * @param groupOf the group each parameter belongs to
     * @param stored  a parameter's name in the checkpoint
     */
    public Models.Streamed streamed(CausalLM model, Map<String, long[]> shapes,
                                    java.util.function.Function<String, ParamGroup> groupOf,
                                    java.util.function.UnaryOperator<String> stored) {
        try {
            List<ParamGroup> blocks = model.blockParams();
            List<java.util.LinkedHashMap<String, long[]>> blockShapes = new ArrayList<>();
            for (int i = 0; i < blocks.size(); i++) blockShapes.add(new java.util.LinkedHashMap<>());
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                ParamGroup g = groupOf.apply(e.getKey());
                int b = blocks.indexOf(g);
                if (b >= 0) blockShapes.get(b).put(e.getKey(), e.getValue());
                else load(g, stored.apply(e.getKey()), e.getKey());
            }
            return new Models.Streamed(model, BlockSource.fromCheckpoint(ckpt, blockShapes, stored));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    // ---- added for gpt2
    /**
     * Loads checkpoint tensor {@code storedName} as float32 on the device into {@code group} under {@code paramName}
     * (for checkpoints whose names differ from the model's, e.g. GPT-2 without the {@code transformer.} prefix).
     */
    public void load(ParamGroup group, String storedName, String paramName) {
        try (Scope s = Scope.open()) {
            Tensor t = ckpt.tensor(storedName, DType.F32);
            if (device.isCuda()) t = t.to(device);
            group.put(paramName, t); // put() keeps it past this scope
        }
    }
}
