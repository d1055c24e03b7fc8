package dev.frugal.model;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * A sentence encoder (BERT, e.g. MiniLM) with a linear classifier over its L2-normalised, mask-averaged token states
 * — the sentence embedding the encoder was trained to produce. The head ({@code frugal_head.weight (L, C)},
 * {@code frugal_head.bias (L)}) can be initialised from class prototypes, so that training starts from the
 * nearest-centroid classifier: {@code logits_c = s · cos(x, μ_c)}.
 */
public final class MeanPoolClassifier implements StagedModel {
    public static final String WEIGHT = "frugal_head.weight";
    public static final String BIAS = "frugal_head.bias";

    private final EncoderModel encoder;
    private final ParamGroup head = new ParamGroup("head");
    private final int numLabels;

    /** Wraps {@code encoder} with a zero-initialised head of {@code numLabels} classes. */
    public MeanPoolClassifier(EncoderModel encoder, int numLabels) {
        if (numLabels < 2) throw new IllegalArgumentException("a classifier needs at least 2 labels, got " + numLabels);
        this.encoder = encoder;
        this.numLabels = numLabels;
        for (var e : encoder.headParams().asMap().entrySet()) head.put(e.getKey(), e.getValue());
        int c = encoder.config().hiddenSize();
        try (Scope s = Scope.open()) {
            head.put(WEIGHT, Tensors.zeros(DType.F32, encoder.device(), numLabels, c));
            head.put(BIAS, Tensors.zeros(DType.F32, encoder.device(), numLabels));
        }
    }

    public EncoderModel encoder() { return encoder; }

    public int numLabels() { return numLabels; }

    @Override
    public ModelConfig config() { return encoder.config(); }

    @Override
    public Device device() { return encoder.device(); }

    @Override
    public ParamGroup embeddingParams() { return encoder.embeddingParams(); }

    @Override
    public List<ParamGroup> blockParams() { return encoder.blockParams(); }

    @Override
    public ParamGroup headParams() { return head; }

    @Override
    public List<String> parameterNames() {
        List<String> n = new ArrayList<>(encoder.parameterNames());
        n.add(WEIGHT);
        n.add(BIAS);
        return n;
    }

    @Override
    public Tensor block(int layer, Tensor hidden, ForwardContext ctx) { return encoder.block(layer, hidden, ctx); }

    /** The forward context of {@code ids (B, T)} with padding mask {@code (B, T)} or null. */
    public ForwardContext context(Tensor ids, Tensor mask) { return encoder.context(ids, mask, null); }

    /** Token embeddings {@code (B, T, C)}. */
    public Tensor embed(Tensor ids, ForwardContext ctx) { return encoder.embed(ids, null, ctx); }

    /** L2-normalised masked mean of {@code hidden (B, T, C)} over real tokens → {@code (B, C)} (all tokens if no mask). */
    public static Tensor sentenceEmbedding(Tensor hidden, Tensor mask) {
        return SentenceEncoder.l2Normalize(mask == null ? hidden.mean(1, false) : SentenceEncoder.meanPool(hidden, mask));
    }

    /** Class logits {@code (B, L)} from final hidden states. */
    public Tensor logits(Tensor hidden, Tensor mask, LayerOps ops) {
        Tensor x = sentenceEmbedding(hidden, mask);
        return (ops == null ? LayerOps.PLAIN : ops).linear("frugal_head", x, head.get(WEIGHT), head.get(BIAS));
    }

    /** Full forward to class logits. */
    public Tensor logits(Tensor ids, Tensor mask) {
        ForwardContext ctx = context(ids, mask);
        Tensor h = embed(ids, ctx);
        for (int i = 0; i < blockParams().size(); i++) h = block(i, h, ctx);
        return logits(h, mask, null);
    }

    /**
     * Sets the head to the nearest-prototype classifier: row c = {@code scale · normalise(mean of the class-c
     * sentence embeddings)}, bias 0.
     *
     * @param embeddings (N, C) L2-normalised sentence embeddings of training examples
     * @param labels     (N) their classes in [0, L)
     */
    public void initFromPrototypes(Tensor embeddings, long[] labels, double scale) {
        try (Scope s = Scope.open(); dev.frugal.tensor.GradMode g = dev.frugal.tensor.GradMode.off()) {
            List<Tensor> rows = new ArrayList<>();
            Tensor lab = Tensors.fromLongs(labels, labels.length).to(embeddings.device());
            for (int c = 0; c < numLabels; c++) {
                Tensor sel = lab.eq((double) c).to(DType.F32).unsqueeze(1);            // (N, 1)
                double count = sel.sum().itemDouble();
                if (count == 0) throw new IllegalArgumentException("no training example of class " + c);
                Tensor mu = embeddings.mul(sel).sum(0, false).div(count);             // (C)
                rows.add(mu.div(mu.norm().clampMin(1e-12)).mul(scale));
            }
            head.get(WEIGHT).copyFrom(Tensors.stack(rows, 0));
            head.get(BIAS).zeroInPlace();
        }
    }

    /** Cross-entropy of the logits against {@code labels (B)}. */
    public static Tensor loss(Tensor logits, Tensor labels) { return NN.crossEntropy(logits, labels, -100); }
}
