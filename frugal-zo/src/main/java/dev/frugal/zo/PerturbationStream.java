package dev.frugal.zo;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The z of one step, drawn from a generator seeded with the step seed, one N(0, I) tensor per parameter in
 * {@code named_parameters()} order, regenerated instead of stored. Blocks draw theirs when they stream through (in
 * depth order); the resident prefix is drawn up front and kept, the suffix after the last block.
 */
final class PerturbationStream implements AutoCloseable {
    private final ParameterLayout layout;
    private final Rng rng;
    private final Map<String, Tensor> resident = new LinkedHashMap<>();
    private int nextBlock;

    PerturbationStream(ParameterLayout layout, long seed) {
        this.layout = layout;
        this.rng = Rng.seeded("zo-z", seed);
        for (String n : layout.prefix()) resident.put(n, Tensors.randn(rng, layout.shape(n)).keep());
    }

    /** z of block {@code i} (must be called for 0, 1, ... in order), in the caller's scope. */
    Map<String, Tensor> block(int i) {
        if (i != nextBlock) throw new IllegalStateException("blocks must draw z in order: expected " + nextBlock + ", got " + i);
        nextBlock++;
        Map<String, Tensor> z = new LinkedHashMap<>();
        for (String n : layout.blocks().get(i)) z.put(n, Tensors.randn(rng, layout.shape(n)));
        if (nextBlock == layout.numBlocks()) drawSuffix();
        return z;
    }

    private void drawSuffix() {
        for (String n : layout.suffix()) resident.put(n, Tensors.randn(rng, layout.shape(n)).keep());
    }

    /** z of resident parameter {@code name}; suffix parameters only after the last block. */
    Tensor resident(String name) {
        if (layout.numBlocks() == 0 && nextBlock == 0 && !layout.suffix().isEmpty() && !resident.containsKey(name)) {
            nextBlock = -1;
            drawSuffix();
        }
        Tensor z = resident.get(name);
        if (z == null) throw new IllegalStateException("z of " + name + " is not drawn yet (suffix parameters come after the blocks)");
        return z;
    }

    @Override
    public void close() {
        resident.values().forEach(Tensor::close);
        resident.clear();
    }
}
