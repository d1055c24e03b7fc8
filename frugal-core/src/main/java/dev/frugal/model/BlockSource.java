package dev.frugal.model;

import dev.frugal.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The parameters of a model's transformer blocks, produced one block at a time, so that an offloading engine (ZO2)
 * can move each block straight into its tier without the whole fp32 model ever being resident: a seeded random
 * initialiser, a checkpoint read block by block, or (for the eager path) the blocks already in a model's groups.
 */
public interface BlockSource extends AutoCloseable {
    /** Number of blocks, in depth order. */
    int numBlocks();

    /** Block {@code i}'s parameter names → shapes, in Hugging Face {@code named_parameters()} order. */
    LinkedHashMap<String, long[]> shapes(int i);

    /**
     * Block {@code i}'s fp32 parameters, name → tensor in {@link #shapes(int)} order. The tensors are kept (they outlive
     * any scope); the caller owns them and closes them. Each block is taken once.
     */
    LinkedHashMap<String, Tensor> take(int i);

    /**
     * Block {@code i}'s parameters handed to {@code each} one at a time, in {@link #shapes(int)} order, each closed once
     * {@code each} returns: a source that can (a checkpoint) reads one tensor at a time, so that a block is never whole
     * in memory (an OPT-6.7B-shaped block is 805 MB in fp32). Each block is taken once, by this or {@link #take(int)}.
     */
    default void forEachTensor(int i, java.util.function.BiConsumer<String, Tensor> each) {
        LinkedHashMap<String, Tensor> b = take(i);
        try {
            for (var e : b.entrySet()) {
                each.accept(e.getKey(), e.getValue());
                e.getValue().close();
            }
        } finally {
            for (Tensor t : b.values()) if (!t.isFreed()) t.close();
        }
    }

    @Override
    default void close() {}

    /**
     * Blocks read from {@code ckpt} one at a time (each tensor up-cast to fp32 from the mapped file when taken);
     * {@code shapes} lists every block's names and shapes, already verified against the checkpoint. Closing the source
     * closes the checkpoint.
     */
    static BlockSource fromCheckpoint(dev.frugal.io.Checkpoint ckpt, List<LinkedHashMap<String, long[]>> shapes) {
        return fromCheckpoint(ckpt, shapes, n -> n);
    }

    /** As {@link #fromCheckpoint(dev.frugal.io.Checkpoint, List)}, parameter {@code n} read from {@code stored(n)}. */
    static BlockSource fromCheckpoint(dev.frugal.io.Checkpoint ckpt, List<LinkedHashMap<String, long[]>> shapes,
                                      java.util.function.UnaryOperator<String> stored) {
        return new BlockSource() {
            @Override
            public int numBlocks() { return shapes.size(); }

            @Override
            public LinkedHashMap<String, long[]> shapes(int i) {
                LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
                shapes.get(i).forEach((n, sh) -> s.put(n, sh.clone()));
                return s;
            }

            @Override
            public LinkedHashMap<String, Tensor> take(int i) {
                LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
                try (dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open()) {
                    for (String n : shapes.get(i).keySet())
                        m.put(n, ckpt.tensor(stored.apply(n), dev.frugal.tensor.DType.F32).keep());
                }
                return m;
            }

            @Override
            public void forEachTensor(int i, java.util.function.BiConsumer<String, Tensor> each) {
                for (String n : shapes.get(i).keySet())
                    try (dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open()) {
                        each.accept(n, ckpt.tensor(stored.apply(n), dev.frugal.tensor.DType.F32));
                    }
            }

            @Override
            public void close() { ckpt.close(); }
        };
    }

    /**
     * The blocks already held by {@code groups}, moved out: {@link #take(int)} hands over the group's tensors and
     * leaves the group empty.
     */
    static BlockSource of(List<ParamGroup> groups) {
        return new BlockSource() {
            @Override
            public int numBlocks() { return groups.size(); }

            @Override
            public LinkedHashMap<String, long[]> shapes(int i) {
                LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
                for (var e : groups.get(i).asMap().entrySet()) s.put(e.getKey(), e.getValue().shape());
                return s;
            }

            @Override
            public LinkedHashMap<String, Tensor> take(int i) {
                LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
                for (var e : groups.get(i).asMap().entrySet()) m.put(e.getKey(), e.getValue().keep());
                groups.get(i).clear(); // drops the group's references; the caller now holds the only ones
                return m;
            }
        };
    }
}
