package dev.frugal.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.data.SpamEmail;
import dev.frugal.data.SpamSmall;
import dev.frugal.model.SentenceEncoder;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.text.Encoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The oracle for the MiniLM import: ONNX Runtime runs the original {@code all-minilm-l6-v2.onnx}; frugal runs its
 * own BERT loaded from the directory {@link MiniLmImport} wrote. On {@value #EMAILS} real SpamAssassin emails (the
 * embedded spam-small set, every 9th), truncated to {@value #MAX_TOKENS} tokens and padded per batch of
 * {@value #BATCH}:
 * {@code last_hidden_state} must agree to ≤ 1e-4 at every real position, and the mean-pooled, L2-normalised
 * sentence embeddings to cosine ≥ 0.99999. The token ids fed to both are the tokenizer's, checked against the vocab
 * inside tokenizer.json.
 */
class MiniLmOracleTest {

    static final int EMAILS = 64;
    static final int MAX_TOKENS = 256;
    static final int BATCH = 16;

    private static Path modelDir;
    @org.junit.jupiter.api.io.TempDir
    static Path tmp; // the imported model (87 MB), deleted after the class
    private static SentenceEncoder encoder;
    private static final List<Encoding> batches = new ArrayList<>();
    private static Map<String, Integer> vocab;

    @BeforeAll
    static void importAndTokenize() throws IOException {
        modelDir = tmp.resolve("minilm");
        long t0 = System.nanoTime();
        MiniLmImport.Result r = MiniLmImport.importTo(MiniLmResources.file(MiniLmResources.ONNX),
                MiniLmResources.file(MiniLmResources.TOKENIZER), modelDir);
        System.out.printf("imported %d tensors, %,d parameters in %.1f s%n", r.tensors(), r.parameters(),
                (System.nanoTime() - t0) / 1e9);
        encoder = SentenceEncoder.load(modelDir, Device.CPU, MAX_TOKENS);
        List<SpamEmail> all = SpamSmall.load();
        List<String> texts = new ArrayList<>();
        for (int i = 0; texts.size() < EMAILS; i += 9) {
            texts.add(all.get(i).text());
        }
        for (int b = 0; b < EMAILS; b += BATCH) {
            batches.add(encoder.tokenizer().encode(texts.subList(b, b + BATCH)));
        }
        JsonNode tj = new ObjectMapper().readTree(modelDir.resolve(MiniLmImport.TOKENIZER).toFile());
        vocab = new ObjectMapper().convertValue(tj.path("model").path("vocab"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Integer>>() { });
    }

    @AfterAll
    static void close() {
        if (encoder != null) {
            encoder.close();
        }
    }

    @Test
    void importWritesAHuggingFaceDirectory() throws IOException {
        for (String f : MiniLmImport.FILES) {
            assertTrue(Files.isRegularFile(modelDir.resolve(f)), f);
        }
        assertArrayEquals(Files.readAllBytes(MiniLmResources.file(MiniLmResources.TOKENIZER)),
                Files.readAllBytes(modelDir.resolve(MiniLmImport.TOKENIZER)), "tokenizer.json copied byte for byte");
        JsonNode cfg = new ObjectMapper().readTree(modelDir.resolve(MiniLmImport.CONFIG).toFile());
        assertEquals("bert", cfg.path("model_type").asText());
        assertEquals(12, cfg.path("num_attention_heads").asInt());
        assertEquals(List.of("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight"),
                encoder.model().parameterNames().subList(0, 2));
        assertEquals(101, encoder.model().parameterNames().size());
    }

    /** What ONNX Runtime is fed is exactly the tokenizer's output, with the documented truncation and padding. */
    @Test
    void tokenIdsAreTheTokenizersAndShapesAreDocumented() {
        assertEquals(101, vocab.get("[CLS]"));
        assertEquals(102, vocab.get("[SEP]"));
        assertEquals(0, vocab.get("[PAD]"));
        assertEquals(7592, vocab.get("hello"));
        assertArrayEquals(new long[] {101, vocab.get("hello"), 102}, encoder.tokenizer().encodeIds("Hello"));
        int truncated = 0;
        for (Encoding e : batches) {
            int longest = 0;
            for (int b = 0; b < e.batchSize(); b++) {
                longest = Math.max(longest, e.realTokens(b));
            }
            assertTrue(longest <= MAX_TOKENS);
            for (int b = 0; b < e.batchSize(); b++) {
                long[] ids = e.ids()[b];
                long[] mask = e.attentionMask()[b];
                int n = e.realTokens(b);
                assertEquals(longest, ids.length, "each batch is padded to its longest row");
                assertEquals(101L, ids[0], "[CLS] first");
                assertEquals(102L, ids[n - 1], "[SEP] last real token");
                for (int t = 0; t < ids.length; t++) {
                    assertEquals(t < n ? 1L : 0L, mask[t], "mask is 1 on the n real tokens, then 0");
                    assertEquals(0L, e.typeIds()[b][t]);
                    if (t >= n) {
                        assertEquals(0L, ids[t], "padding id 0 ([PAD])");
                    } else {
                        assertTrue(ids[t] >= 0 && ids[t] < vocab.size(), "id inside the vocab");
                    }
                }
                truncated += n == MAX_TOKENS ? 1 : 0;
            }
        }
        System.out.println(truncated + " of " + EMAILS + " emails truncated to " + MAX_TOKENS + " tokens");
        assertTrue(truncated > 0, "some emails must exercise truncation");
    }

    @Test
    void lastHiddenStateAndSentenceEmbeddingsMatchOnnxRuntime() throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double maxDiff = 0;
        double minCos = 1;
        long realPositions = 0;
        long ortNanos = 0;
        long frugalNanos = 0;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(2);
            // ORT's pool spins after each run by default; in the same process that starves libtorch's threads
            so.addConfigEntry("session.intra_op.allow_spinning", "0");
            so.addConfigEntry("session.inter_op.allow_spinning", "0");
            try (OrtSession session = env.createSession(MiniLmResources.file(MiniLmResources.ONNX).toString(), so)) {
                assertEquals(Set.of("input_ids", "attention_mask", "token_type_ids"), session.getInputNames());
                assertEquals("last_hidden_state", session.getOutputNames().iterator().next());
                for (Encoding e : batches) {
                    long t0 = System.nanoTime();
                    float[][][] ort = runOrt(env, session, e);                       // (B, T, C)
                    ortNanos += System.nanoTime() - t0;
                    t0 = System.nanoTime();
                    try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
                        Tensor ids = Tensors.fromLongs(e.ids());
                        Tensor mask = Tensors.fromLongs(e.attentionMask());
                        Tensor types = Tensors.fromLongs(e.typeIds());
                        Tensor h = encoder.model().lastHiddenState(ids, types, mask, null); // (B, T, C)
                        float[] ours = h.toFloatArray();
                        // the sentence embedding exactly as SentenceEncoder.embed computes it, from the same h
                        float[] emb = SentenceEncoder.l2Normalize(SentenceEncoder.meanPool(h, mask)).toFloatArray();
                        int t = (int) h.size(1);
                        int c = (int) h.size(2);
                        for (int b = 0; b < e.batchSize(); b++) {
                            int n = e.realTokens(b);
                            double[] ref = new double[c];
                            for (int p = 0; p < n; p++) {
                                for (int k = 0; k < c; k++) {
                                    float o = ort[b][p][k];
                                    maxDiff = Math.max(maxDiff, Math.abs(o - ours[(b * t + p) * c + k]));
                                    ref[k] += o;
                                }
                            }
                            realPositions += n;
                            minCos = Math.min(minCos, cosine(ref, emb, b * c)); // mean over n: scale-free
                        }
                        frugalNanos += System.nanoTime() - t0;
                    }
                }
            }
        }
        System.out.printf("MiniLM vs ONNX Runtime on %d emails (%d real positions, ≤ %d tokens): "
                + "last_hidden_state max |diff| = %.3e, sentence embedding min cosine = %.9f%n",
                EMAILS, realPositions, MAX_TOKENS, maxDiff, minCos);
        System.out.printf("forward time: ONNX Runtime %.1f s, frugal %.1f s%n", ortNanos / 1e9, frugalNanos / 1e9);
        assertTrue(maxDiff <= 1e-4, "max |diff| " + maxDiff);
        assertTrue(minCos >= 0.99999, "min cosine " + minCos);
    }

    /** Length-grouped batching in embedAll gives the embeddings of one plain padded batch, in input order. */
    @Test
    void embedAllEqualsOnePaddedBatch() {
        List<String> texts = SpamSmall.load().stream().skip(300).limit(12).map(SpamEmail::text).toList();
        try (Scope s = Scope.open(); Tensor grouped = encoder.embedAll(texts, 5, null)) {
            Tensor plain = encoder.embed(texts);
            double diff = Tensors.maxAbsDiff(grouped, plain);
            System.out.println("embedAll (batches of 5, grouped by length) vs one batch: max |diff| = " + diff);
            assertEquals(12, grouped.size(0));
            assertTrue(diff < 1e-5, "diff " + diff);
        }
    }

    private static float[][][] runOrt(OrtEnvironment env, OrtSession session, Encoding e) throws OrtException {
        try (OnnxTensor ids = OnnxTensor.createTensor(env, e.ids());
             OnnxTensor mask = OnnxTensor.createTensor(env, e.attentionMask());
             OnnxTensor types = OnnxTensor.createTensor(env, e.typeIds());
             OrtSession.Result r = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                     "token_type_ids", types))) {
            return (float[][][]) r.get(0).getValue();
        }
    }

    /** Cosine between {@code a} and {@code b[off, off + a.length)}. */
    private static double cosine(double[] a, float[] b, int off) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += a[k] * b[off + k];
            na += a[k] * a[k];
            nb += (double) b[off + k] * b[off + k];
        }
        return dot / Math.sqrt(na * nb);
    }
}
