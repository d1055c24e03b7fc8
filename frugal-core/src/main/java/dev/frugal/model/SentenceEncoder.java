package dev.frugal.model;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.text.Encoding;
import dev.frugal.text.HfTokenizer;
import dev.frugal.text.Padding;
import dev.frugal.text.TokenizerOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * A frozen encoder used as a sentence embedder, the way sentence-transformers runs all-MiniLM-L6-v2: tokenize
 * ({@code [CLS] … [SEP]}, truncated to {@code maxTokens}), take {@code last_hidden_state}, mean-pool it over the real
 * (unmasked) tokens, and L2-normalise:
 *
 * <pre>  e = Σ_t m_t·h_t / max(Σ_t m_t, 1e-9),   ê = e / max(‖e‖₂, 1e-12)</pre>
 *
 * Runs without autograd. Not thread-safe.
 */
public final class SentenceEncoder implements AutoCloseable {

    private final EncoderModel model;
    private final HfTokenizer tokenizer;
    private final int maxTokens;

    private SentenceEncoder(EncoderModel model, HfTokenizer tokenizer, int maxTokens) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxTokens = maxTokens;
    }

    /**
     * Loads the encoder and the {@code tokenizer.json} of {@code modelDir} onto {@code device}; inputs are truncated
     * to {@code maxTokens} tokens (special tokens included).
     */
    public static SentenceEncoder load(Path modelDir, Device device, int maxTokens) {
        EncoderModel m = Models.loadEncoder(modelDir, device);
        if (maxTokens < 2 || maxTokens > m.config().maxPositions()) {
            int ctx = m.config().maxPositions();
            m.close();
            throw new dev.frugal.InvalidSettingException("maxTokens", "must be in [2, " + ctx
                    + "] (max_position_embeddings of " + modelDir + "), got " + maxTokens);
        }
        HfTokenizer tok = HfTokenizer.fromFile(modelDir.resolve("tokenizer.json"),
                new TokenizerOptions(maxTokens, Padding.LONGEST, true));
        return new SentenceEncoder(m, tok, maxTokens);
    }

    /** The encoder. */
    public EncoderModel model() {
        return model;
    }

    /** The tokenizer (truncating to {@link #maxTokens()}, padding to the longest row). */
    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    /** The truncation length. */
    public int maxTokens() {
        return maxTokens;
    }

    /** Width C of the embeddings. */
    public int dimension() {
        return model.config().hiddenSize();
    }

    /** Embeddings {@code (B, C)} of {@code texts}, in the caller's scope, on the model's device. */
    public Tensor embed(List<String> texts) {
        return embed(tokenizer.encode(texts));
    }

    /** Embeddings {@code (B, C)} of a tokenized batch, in the caller's scope, on the model's device. */
    public Tensor embed(Encoding batch) {
        try (GradMode off = GradMode.off()) {
            Device d = model.device();
            Tensor ids = Tensors.fromLongs(batch.ids()).to(d);               // (B, T)
            Tensor mask = Tensors.fromLongs(batch.attentionMask()).to(d);    // (B, T)
            Tensor types = Tensors.fromLongs(batch.typeIds()).to(d);         // (B, T)
            Tensor h = model.lastHiddenState(ids, types, mask, null);        // (B, T, C)
            return l2Normalize(meanPool(h, mask));
        }
    }

    /**
     * Embeds every text in batches of {@code batchSize}, each batch in its own {@link Scope}. Texts are grouped by
     * token count so that a batch carries little padding (the result does not depend on the grouping beyond float
     * rounding); rows come back in input order.
     *
     * @param progress called with the number of texts done after each batch (may be null)
     * @return {@code (N, C)} float32 on the CPU, {@linkplain Tensor#keep() kept}: the caller closes it
     */
    public Tensor embedAll(List<String> texts, int batchSize, IntConsumer progress) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        int n = texts.size();
        Encoding all = tokenizer.encode(texts); // padded to the longest row, ≤ maxTokens
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(all::realTokens));
        Tensor out;
        try (Scope s = Scope.open()) {
            out = Tensors.zeros(DType.F32, Device.CPU, n, dimension()).keep(); // (N, C)
        }
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            try (Scope s = Scope.open()) {
                int len = 0;
                for (int i = from; i < to; i++) {
                    len = Math.max(len, all.realTokens(order[i]));
                }
                long[][] ids = new long[to - from][];
                long[][] mask = new long[to - from][];
                long[][] types = new long[to - from][];
                for (int i = from; i < to; i++) { // right padding: the first len positions hold every real token
                    ids[i - from] = Arrays.copyOf(all.ids()[order[i]], len);
                    mask[i - from] = Arrays.copyOf(all.attentionMask()[order[i]], len);
                    types[i - from] = Arrays.copyOf(all.typeIds()[order[i]], len);
                }
                Tensor e = embed(new Encoding(ids, mask, types)).to(Device.CPU); // (b, C)
                long[] rows = new long[to - from];
                for (int i = from; i < to; i++) {
                    rows[i - from] = order[i];
                }
                out.indexCopyInPlace(0, Tensors.fromLongs(rows, rows.length), e);
            }
            if (progress != null) {
                progress.accept(to);
            }
        }
        return out;
    }

    /**
     * Mean of {@code hidden (B, T, C)} over the positions where {@code mask (B, T)} is 1 → {@code (B, C)}; a row
     * without real tokens gives zeros (the count is clamped to 1e-9, as in sentence-transformers).
     */
    public static Tensor meanPool(Tensor hidden, Tensor mask) {
        Objects.requireNonNull(mask, "mask");
        Tensor m = mask.to(hidden.dtype()).unsqueeze(-1);           // (B, T, 1)
        Tensor summed = hidden.mul(m).sum(1, false);                // (B, C)
        Tensor count = m.sum(1, false).clampMin(1e-9);              // (B, 1)
        return summed.div(count);
    }

    /** Rows of {@code x (B, C)} divided by their L2 norm (at least 1e-12), as {@code F.normalize(x, p=2, dim=1)}. */
    public static Tensor l2Normalize(Tensor x) {
        return x.div(x.norm(new long[] {-1}, true).clampMin(1e-12));
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
