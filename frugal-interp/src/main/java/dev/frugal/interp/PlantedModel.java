package dev.frugal.interp;

import dev.frugal.model.gpt2.Gpt2Model;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A 2-layer, 3-head, attention-only GPT-2 ({@link TinyGpt2#attentionOnly}) whose weights are written by hand so that
 * its circuit is known edge by edge (docs/acdc.md draws it). The residual stream (d = 51) is six orthogonal
 * 8-dimensional subspaces: token one-hot {@code A}, position one-hot {@code P}, and {@code B, C, E, F} written by
 * heads, plus three dimensions {@code Z} that nothing writes. Every weight that reads the stream (q, k, v and the LM
 * head) has columns summing to zero, the balance in {@code Z}: then reading {@code x − mean(x)} (the model's
 * LayerNorms) is reading {@code x}. Heads (head dim 17):
 * <ul>
 *   <li>a0.0, previous-token head: q = P_i, k = P_{j+1} → attends to i−1; reads token A, writes B.</li>
 *   <li>a0.1, distractor: uniform attention, reads A, writes F (which nothing reads).</li>
 *   <li>a0.2 and a1.2: all-zero heads.</li>
 *   <li>a1.0: attends to itself by position; reads B (the previous token), writes C.</li>
 *   <li>a1.1, same-token head: q = k = token A; reads A, writes E.</li>
 * </ul>
 * The untied LM head reads C (gain 4) and E (gain 1.5): the model predicts the previous token, and weakly the current
 * one. Under corrupted-input patching (another random sequence; positions unchanged) exactly seven edges matter:
 * {@link #TRUE_EDGES}.
 */
public final class PlantedModel {
    public static final int VOCAB = 8, LENGTH = 8, D_MODEL = 51, HEADS = 3, HEAD_DIM = 17;
    private static final int A = 0, P = 8, B = 16, C = 24, E = 32, F = 40, Z = 48;
    /** Attention logit gain: the scores are g² = 10·√17, 10 after the 1/√17 scale. */
    private static final double G = Math.sqrt(10 * Math.sqrt(HEAD_DIM));

    /** The planted circuit. */
    public static final Set<Edge> TRUE_EDGES = Set.copyOf(List.of(
            Edge.parse("embed->a0.0.v"), Edge.parse("a0.0->a1.0.v"), Edge.parse("a1.0->output"),
            Edge.parse("embed->a1.1.q"), Edge.parse("embed->a1.1.k"), Edge.parse("embed->a1.1.v"),
            Edge.parse("a1.1->output")));

    private PlantedModel() {}

    public static TinyGpt2 shape() {
        return TinyGpt2.attentionOnly(VOCAB, D_MODEL, 2, HEADS, LENGTH).untied();
    }

    /** Builds the model as a Hugging Face directory {@code dir} and loads it. */
    public static Gpt2Model build(Path dir) {
        TinyGpt2 shape = shape();
        int d = D_MODEL, hd = HEAD_DIM;
        float[] wte = new float[VOCAB * d], wpe = new float[LENGTH * d], lm = new float[VOCAB * d];
        for (int v = 0; v < VOCAB; v++) {
            wte[v * d + A + v] = 1;
            lm[v * d + C + v] = 4f;
            lm[v * d + E + v] = 1.5f;
        }
        for (int i = 0; i < LENGTH; i++) wpe[i * d + P + i] = 1;
        float[][] attn = new float[2][d * 3 * d], proj = new float[2][d * d];
        // layer 0, head 0: previous-token head, A → B
        for (int i = 0; i < LENGTH; i++) set(attn[0], P + i, q(0, i), G);
        for (int j = 0; j + 1 < hd && j < LENGTH; j++) set(attn[0], P + j, k(0, j + 1), G);
        copy(attn[0], proj[0], 0, A, B);
        // layer 0, head 1: uniform attention, A → F
        copy(attn[0], proj[0], 1, A, F);
        // layer 1, head 0: attends to itself, B → C
        for (int i = 0; i < LENGTH; i++) {
            set(attn[1], P + i, q(0, i), G);
            set(attn[1], P + i, k(0, i), G);
        }
        copy(attn[1], proj[1], 0, B, C);
        // layer 1, head 1: same-token attention, A → E
        for (int v = 0; v < VOCAB; v++) {
            set(attn[1], A + v, q(1, v), G);
            set(attn[1], A + v, k(1, v), G);
        }
        copy(attn[1], proj[1], 1, A, E);
        for (float[] w : attn) balance(w, d, 3 * d, 1);
        balance(lm, d, VOCAB, d); // lm (V, C): row v is column v of the map C → V
        try (Scope sc = Scope.open(); Rng rng = Rng.seeded("planted", 0)) {
            Map<String, Tensor> t = shape.init(rng); // LayerNorms and the zero MLPs
            String x = TinyGpt2.P;
            t.put(x + "wte.weight", Tensors.fromFloats(wte, VOCAB, d));
            t.put(x + "wpe.weight", Tensors.fromFloats(wpe, LENGTH, d));
            for (int l = 0; l < 2; l++) {
                String p = x + "h." + l + ".attn.";
                t.put(p + "c_attn.weight", Tensors.fromFloats(attn[l], d, 3L * d));
                t.put(p + "c_attn.bias", Tensors.zeros(3L * d));
                t.put(p + "c_proj.weight", Tensors.fromFloats(proj[l], d, d));
                t.put(p + "c_proj.bias", Tensors.zeros(d));
            }
            t.put("lm_head.weight", Tensors.fromFloats(lm, VOCAB, d));
            return shape.write(dir, t);
        }
    }

    /**
     * Makes every read direction of a row-major weight sum to zero over the stream's dimensions by putting the
     * balance in {@code Z[0]}, which nothing writes: direction j is the column {@code j} of a {@code (C, cols)} matrix
     * (stride 1) or the row {@code j} of a {@code (rows, C)} one (stride C).
     */
    private static void balance(float[] w, int c, int directions, int stride) {
        for (int j = 0; j < directions; j++) {
            double sum = 0;
            for (int i = 0; i < c; i++) sum += w[index(i, j, directions, stride, c)];
            w[index(Z, j, directions, stride, c)] -= (float) sum;
        }
    }

    /** Element (stream dimension i, direction j). */
    private static int index(int i, int j, int directions, int stride, int c) {
        return stride == 1 ? i * directions + j : j * c + i;
    }

    private static int q(int head, int i) { return head * HEAD_DIM + i; }

    private static int k(int head, int i) { return D_MODEL + head * HEAD_DIM + i; }

    private static int v(int head, int i) { return 2 * D_MODEL + head * HEAD_DIM + i; }

    private static void set(float[] convWeight, int row, int col, double value) { convWeight[row * 3 * D_MODEL + col] = (float) value; }

    /** Head {@code h}'s OV circuit copies the 8 dimensions at {@code from} to those at {@code to}. */
    private static void copy(float[] attn, float[] proj, int h, int from, int to) {
        for (int i = 0; i < 8; i++) {
            set(attn, from + i, v(h, i), 1);
            proj[(h * HEAD_DIM + i) * D_MODEL + to + i] = 1;
        }
    }

    /** Random token sequences; the corrupted input is an independent draw; the metric reads positions 1..7. */
    public record Task() implements CircuitTask {
        @Override
        public String name() { return "planted"; }

        @Override
        public TaskBatch batch(Rng rng, int b) {
            Tensor x = Tensors.randint(0, VOCAB, rng, b, LENGTH);
            Tensor corrupted = Tensors.randint(0, VOCAB, rng, b, LENGTH);
            long[] pos = new long[LENGTH - 1];
            for (int i = 0; i < pos.length; i++) pos[i] = i + 1;
            return new TaskBatch(x, corrupted, x.narrow(1, 0, LENGTH - 1).contiguous(), pos); // predicts the previous token
        }
    }

    /** The ROC curve's area of circuits found at several τ against {@link #TRUE_EDGES}. */
    public static double rocAuc(List<Set<Edge>> circuits, Set<Edge> allEdges) {
        Set<Edge> truth = new LinkedHashSet<>(TRUE_EDGES);
        return Roc.auc(circuits, truth, allEdges);
    }
}
