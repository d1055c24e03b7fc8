package dev.frugal.onnx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps the ONNX graph of a BERT encoder (all-MiniLM-L6-v2 and its relatives) onto Hugging Face {@code BertModel}
 * parameter names, reading the roles from the dataflow rather than from initializer names, which PyTorch's exporter
 * often leaves anonymous ({@code onnx::MatMul_787}). See {@code docs/minilm-import.md}.
 *
 * <ol>
 *   <li>Embeddings: the three {@code Gather} nodes over 2-D float tables; the one indexed by {@code input_ids} is
 *       the word table, by {@code token_type_ids} the token-type table, the remaining one the position table.</li>
 *   <li>Layer norms and Linears are found by {@link LayerNormMatch} and {@link LinearMatch}; the first layer norm is
 *       {@code embeddings.LayerNorm}.</li>
 *   <li>Each encoder layer starts with three Linears that read the same value (Q, K, V). The attention score
 *       {@code MatMul(Q', K'ᵀ)} tells query from key; the context {@code MatMul(softmax, V')} names the value.</li>
 *   <li>Then, in graph order: attention output dense, its LayerNorm, intermediate dense, output dense, LayerNorm.</li>
 *   <li>MatMul weights are stored {@code [in, out]} and are transposed to {@code nn.Linear}'s {@code [out, in]}.</li>
 * </ol>
 */
public final class MiniLmOnnxMapping {

    private final OnnxGraph graph;
    private final LinkedHashMap<String, WeightTensor> weights = new LinkedHashMap<>();
    private final Map<String, String> sources = new LinkedHashMap<>();

    private MiniLmOnnxMapping(OnnxModel model) {
        this.graph = new OnnxGraph(model);
    }

    /**
     * Maps {@code model}.
     *
     * @throws OnnxMappingException when the graph lacks a part a BERT encoder must have
     */
    public static BertOnnxImport map(OnnxModel model) {
        return new MiniLmOnnxMapping(model).run();
    }

    private BertOnnxImport run() {
        OnnxInitializer word = embeddingTable("input_ids");
        OnnxInitializer type = embeddingTable("token_type_ids");
        OnnxInitializer position = positionTable(word, type);
        put("embeddings.word_embeddings.weight", word);
        put("embeddings.position_embeddings.weight", position);
        put("embeddings.token_type_embeddings.weight", type);

        List<LayerNormMatch> norms = LayerNormMatch.findAll(graph);
        List<LinearMatch> linears = LinearMatch.findAll(graph);
        if (norms.isEmpty()) {
            throw new OnnxMappingException("no layer norm found after the embeddings");
        }
        LayerNormMatch embNorm = norms.getFirst();
        put("embeddings.LayerNorm", embNorm);

        int hidden = (int) word.dims()[1];
        String layerInput = embNorm.output();
        int layers = 0;
        int intermediate = 0;
        int heads = 0;
        while (true) {
            String in = layerInput;
            List<LinearMatch> qkv = linears.stream().filter(l -> l.input().equals(in)).toList();
            if (qkv.size() != 3) {
                break;
            }
            String p = "encoder.layer." + layers + ".";
            LinearMatch[] roles = attentionRoles(qkv, p);
            put(p + "attention.self.query", roles[0]);
            put(p + "attention.self.key", roles[1]);
            put(p + "attention.self.value", roles[2]);
            heads = headsFromReshape(roles[0].output(), hidden);

            int after = qkv.stream().mapToInt(LinearMatch::position).max().orElseThrow();
            List<LinearMatch> next = linears.stream().filter(l -> l.position() > after)
                    .sorted(Comparator.comparingInt(LinearMatch::position)).limit(3).toList();
            List<LayerNormMatch> lns = norms.stream().filter(n -> n.position() > after).limit(2).toList();
            if (next.size() < 3 || lns.size() < 2) {
                throw new OnnxMappingException(p + "attention: missing output/intermediate/output projections or "
                        + "layer norms after the Q/K/V projections");
            }
            LinearMatch attnOut = next.get(0);
            LinearMatch inter = next.get(1);
            LinearMatch out = next.get(2);
            LayerNormMatch ln1 = lns.get(0);
            LayerNormMatch ln2 = lns.get(1);
            boolean ordered = attnOut.position() < ln1.position() && ln1.position() < inter.position()
                    && out.position() < ln2.position() && inter.input().equals(ln1.output())
                    && attnOut.outFeatures() == hidden && inter.outFeatures() == out.inFeatures();
            if (!ordered) {
                throw new OnnxMappingException(p + ": projections and layer norms are not in BERT order "
                        + "(attention.output.dense, LayerNorm, intermediate.dense, output.dense, LayerNorm)");
            }
            put(p + "attention.output.dense", attnOut);
            put(p + "attention.output.LayerNorm", ln1);
            put(p + "intermediate.dense", inter);
            put(p + "output.dense", out);
            put(p + "output.LayerNorm", ln2);
            intermediate = (int) inter.outFeatures();
            layerInput = ln2.output();
            layers++;
        }
        if (layers == 0) {
            throw new OnnxMappingException("no encoder layer (three Linears reading the embedding LayerNorm output)");
        }
        boolean pooler = pooler(layerInput, hidden);
        BertGraphConfig config = new BertGraphConfig((int) word.dims()[0], hidden, layers, heads, intermediate,
                (int) position.dims()[0], (int) type.dims()[0],
                Double.parseDouble(Float.toString(embNorm.epsilon())), activation(), pooler); // 1e-12f → 1.0E-12
        return new BertOnnxImport(config, weights, sources);
    }

    private OnnxInitializer embeddingTable(String graphInput) {
        for (OnnxNode n : graph.model().nodes()) {
            if (n.opType().equals("Gather") && graph.isInitializer(n.input(0))) {
                OnnxInitializer table = graph.constant(n.input(0)).orElseThrow();
                Set<String> roots = graph.ancestorsWhere(n.input(1), v -> graph.model().inputs().contains(v));
                if (table.type() == OnnxDataType.FLOAT && table.dims().length == 2 && roots.contains(graphInput)) {
                    return table;
                }
            }
        }
        throw new OnnxMappingException("no embedding Gather indexed by graph input '" + graphInput + "'");
    }

    private OnnxInitializer positionTable(OnnxInitializer word, OnnxInitializer type) {
        for (OnnxNode n : graph.model().nodes()) {
            if (n.opType().equals("Gather") && graph.isInitializer(n.input(0))) {
                OnnxInitializer t = graph.constant(n.input(0)).orElseThrow();
                if (t != word && t != type && t.type() == OnnxDataType.FLOAT && t.dims().length == 2
                        && t.dims()[1] == word.dims()[1]) {
                    return t;
                }
            }
        }
        throw new OnnxMappingException("no position embedding Gather");
    }

    /** Returns {query, key, value} among the three projections that read the same input. */
    private LinearMatch[] attentionRoles(List<LinearMatch> qkv, String prefix) {
        LinearMatch q = null;
        LinearMatch k = null;
        LinearMatch v = null;
        Set<String> outs = Set.of(qkv.get(0).output(), qkv.get(1).output(), qkv.get(2).output());
        for (OnnxNode n : graph.model().nodes()) {
            if (!n.opType().equals("MatMul") || graph.isInitializer(n.input(1))) {
                continue;
            }
            Set<String> a = graph.ancestorsWhere(n.input(0), outs::contains);
            Set<String> b = graph.ancestorsWhere(n.input(1), outs::contains);
            if (a.size() == 1 && b.size() == 1 && !a.equals(b)) {
                q = byOutput(qkv, a.iterator().next());  // scores = Q'·K'ᵀ
                k = byOutput(qkv, b.iterator().next());
            } else if (a.size() == 2 && b.size() == 1) {
                v = byOutput(qkv, b.iterator().next());  // context = softmax(scores)·V'
            }
        }
        if (q == null || k == null || v == null) {
            throw new OnnxMappingException(prefix + "attention: cannot tell query, key and value apart "
                    + "(no score MatMul Q·Kᵀ followed by a context MatMul softmax·V)");
        }
        return new LinearMatch[] {q, k, v};
    }

    private static LinearMatch byOutput(List<LinearMatch> linears, String output) {
        return linears.stream().filter(l -> l.output().equals(output)).findFirst().orElseThrow();
    }

    /**
     * Heads from the Reshape that splits the query into {@code (B, T, heads, headDim)}: the last two shape entries
     * are constants. Falls back to {@code hidden / 64}, the usual BERT head size, when no such Reshape is found.
     */
    private int headsFromReshape(String queryOutput, int hidden) {
        for (OnnxNode r : graph.consumers(queryOutput)) {
            if (!r.opType().equals("Reshape")) {
                continue;
            }
            List<Long> shape = constantShape(r.input(1));
            if (shape.size() == 4 && shape.get(2) > 0 && shape.get(2) * shape.get(3) == hidden) {
                return Math.toIntExact(shape.get(2));
            }
        }
        return Math.max(1, hidden / 64);
    }

    /** The shape tensor as longs, with -1 for entries computed at run time. */
    private List<Long> constantShape(String value) {
        Optional<OnnxInitializer> c = graph.constant(value);
        if (c.isPresent()) {
            List<Long> out = new ArrayList<>();
            for (long x : c.get().toLongs()) {
                out.add(x);
            }
            return out;
        }
        Optional<OnnxNode> concat = graph.producer(value).filter(n -> n.opType().equals("Concat"));
        List<Long> out = new ArrayList<>();
        for (String in : concat.map(OnnxNode::inputs).orElse(List.of())) {
            Optional<OnnxInitializer> part = graph.constant(in).filter(t -> t.type() == OnnxDataType.INT64);
            if (part.isPresent()) {
                for (long x : part.get().toLongs()) {
                    out.add(x);
                }
            } else {
                out.add(-1L);
            }
        }
        return out;
    }

    private boolean pooler(String lastHidden, int hidden) {
        for (LinearMatch l : LinearMatch.findAll(graph)) {
            boolean tanh = graph.consumers(l.output()).stream().anyMatch(n -> n.opType().equals("Tanh"));
            boolean fromLast = !graph.ancestorsWhere(l.input(), lastHidden::equals).isEmpty();
            if (tanh && fromLast && l.inFeatures() == hidden && l.outFeatures() == hidden) {
                put("pooler.dense", l);
                return true;
            }
        }
        return false;
    }

    private String activation() {
        boolean erf = graph.model().nodes().stream().anyMatch(n -> n.opType().equals("Erf"));
        boolean tanh = graph.model().nodes().stream().anyMatch(n -> n.opType().equals("Tanh"));
        return erf || !tanh ? "gelu" : "gelu_new";
    }

    private void put(String name, OnnxInitializer table) {
        weights.put(name, new WeightTensor(table.dims(), table.toFloats()));
        sources.put(name, table.name());
    }

    private void put(String prefix, LinearMatch l) {
        weights.put(prefix + ".weight", new WeightTensor(new long[] {l.outFeatures(), l.inFeatures()},
                l.weightOutIn()));
        sources.put(prefix + ".weight", l.weight().name() + (l.transposed() ? " (transposed)" : ""));
        weights.put(prefix + ".bias", new WeightTensor(l.bias().dims(), l.bias().toFloats()));
        sources.put(prefix + ".bias", l.bias().name());
    }

    private void put(String prefix, LayerNormMatch n) {
        weights.put(prefix + ".weight", new WeightTensor(n.gamma().dims(), n.gamma().toFloats()));
        sources.put(prefix + ".weight", n.gamma().name());
        weights.put(prefix + ".bias", new WeightTensor(n.beta().dims(), n.beta().toFloats()));
        sources.put(prefix + ".bias", n.beta().name());
    }
}
