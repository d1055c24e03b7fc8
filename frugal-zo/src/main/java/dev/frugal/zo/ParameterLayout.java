package dev.frugal.zo;

import dev.frugal.model.BlockSource;
import dev.frugal.model.ParamGroup;
import dev.frugal.model.StagedModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's parameters split the way ZO2 visits them, with their shapes captured while everything is resident:
 * the resident parameters named before the first block parameter ({@code prefix}: embeddings, and e.g. OPT's final
 * LayerNorm, which Hugging Face registers before the layers), each block's parameters, and the resident parameters
 * named after the last block ({@code suffix}: final norm, untied LM head). Drawing z in this order is drawing it in
 * {@code named_parameters()} order, which is what makes the streamed engine bit-identical to MeZO.
 */
record ParameterLayout(List<String> prefix, List<List<String>> blocks, List<String> suffix, Map<String, long[]> shapes) {

    static ParameterLayout of(StagedModel model) { return of(model, null); }

    /**
     * The layout of {@code model} whose blocks come from {@code source} (their groups may be empty: shapes are taken
     * from the source), or from the model's own groups when {@code source} is null.
     */
    static ParameterLayout of(StagedModel model, BlockSource source) {
        Map<String, Integer> blockOf = new LinkedHashMap<>();
        Map<String, long[]> blockShapes = new LinkedHashMap<>();
        List<ParamGroup> groups = model.blockParams();
        for (int i = 0; i < groups.size(); i++) {
            if (source == null) for (String n : groups.get(i).names()) blockOf.put(n, i);
            else for (var e : source.shapes(i).entrySet()) {
                blockOf.put(e.getKey(), i);
                blockShapes.put(e.getKey(), e.getValue());
            }
        }
        List<String> prefix = new ArrayList<>(), suffix = new ArrayList<>();
        List<List<String>> blocks = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) blocks.add(new ArrayList<>());
        Map<String, long[]> shapes = new LinkedHashMap<>();
        int last = -1;
        for (String n : model.parameterNames()) {
            Integer b = blockOf.get(n);
            shapes.put(n, blockShapes.containsKey(n) ? blockShapes.get(n).clone() : model.parameter(n).shape());
            if (b == null) {
                if (last < 0) prefix.add(n);
                else suffix.add(n);
                continue;
            }
            if (b < last || !suffix.isEmpty()) throw new IllegalStateException("parameter " + n
                    + " breaks the block order of named_parameters(): ZO2 needs blocks contiguous and in depth order");
            last = b;
            blocks.get(b).add(n);
        }
        int placed = blocks.stream().mapToInt(List::size).sum();
        if (placed != blockOf.size()) throw new IllegalArgumentException("the blocks name " + blockOf.size()
                + " parameters but the model's named_parameters() holds " + placed + " of them: does the block source"
                + " describe this model?");
        List<List<String>> frozen = new ArrayList<>();
        for (List<String> b : blocks) frozen.add(List.copyOf(b));
        return new ParameterLayout(List.copyOf(prefix), Collections.unmodifiableList(frozen), List.copyOf(suffix),
                Collections.unmodifiableMap(shapes));
    }

    int numBlocks() { return blocks.size(); }

    /**
     * This layout restricted to the parameters {@code tuned} selects (the same blocks, some of them empty; the same
     * order), for drawing z, perturbing and updating. {@link TunedParameters#ALL} gives this layout itself.
     *
     * @throws dev.frugal.InvalidSettingException naming {@code tuned} when it selects nothing, or more blocks than
     *                                            the model has
     */
    ParameterLayout restrictedTo(TunedParameters tuned) {
        if (tuned.isAll()) return this;
        int n = numBlocks();
        if (tuned instanceof TunedParameters.HeadAndTopBlocks(int top) && top > n)
            throw new dev.frugal.InvalidSettingException("tuned", "(" + tuned + ") names " + top + " blocks but the"
                    + " model has " + n + ": choose head+top1..head+top" + n + ", or all");
        List<String> p = prefix.stream().filter(x -> tuned.tunes(x, -1, n)).toList();
        List<List<String>> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int block = i;
            b.add(blocks.get(i).stream().filter(x -> tuned.tunes(x, block, n)).toList());
        }
        List<String> s = suffix.stream().filter(x -> tuned.tunes(x, n, n)).toList();
        ParameterLayout r = new ParameterLayout(p, Collections.unmodifiableList(b), s, shapes);
        if (r.names().isEmpty()) throw new dev.frugal.InvalidSettingException("tuned", "(" + tuned + ") selects no"
                + " parameter of this model" + (suffix.isEmpty() ? ": it has no parameters after its last block (a"
                + " head tied to the embedding is not a separate head); choose head+topN or all" : ""));
        return r;
    }

    /** Every parameter of this layout in order: prefix, blocks, suffix. */
    List<String> names() {
        List<String> r = new ArrayList<>(prefix);
        blocks.forEach(r::addAll);
        r.addAll(suffix);
        return r;
    }

    /** The first block with a parameter in this layout, or {@link #numBlocks()} when none has. */
    int firstNonEmptyBlock() {
        int i = 0;
        while (i < blocks.size() && blocks.get(i).isEmpty()) i++;
        return i;
    }

    long[] shape(String name) { return shapes.get(name).clone(); }

    /**
     * Each parameter's offset in the flattened parameter vector, in {@code named_parameters()} order (prefix, blocks,
     * suffix): the counter of its first element in {@link ZoRng#PARALLEL}'s stream.
     */
    Map<String, Long> offsets() {
        Map<String, Long> o = new LinkedHashMap<>();
        long at = 0;
        List<String> all = new ArrayList<>(prefix);
        blocks.forEach(all::addAll);
        all.addAll(suffix);
        for (String n : all) {
            o.put(n, at);
            long numel = 1;
            for (long d : shapes.get(n)) numel *= d;
            at += numel;
        }
        return Collections.unmodifiableMap(o);
    }

    /** Resident parameters in name order. */
    List<String> resident() {
        List<String> r = new ArrayList<>(prefix);
        r.addAll(suffix);
        return r;
    }
}
