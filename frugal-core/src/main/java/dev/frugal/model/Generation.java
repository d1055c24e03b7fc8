package dev.frugal.model;

import dev.frugal.InvalidSettingException;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.Arrays;

/**
 * Autoregressive generation with a KV cache: one forward over the prompt, then one position per new token. Greedy
 * or seeded sampling (temperature, top-k, top-p) as Hugging Face's logits warpers apply them (temperature, then
 * top-k, then top-p).
 */
public final class Generation {
    private Generation() {}

    /**
     * A generation result.
     *
     * @param tokens     prompt followed by the new tokens
     * @param top2Gaps   per new token: top-1 minus top-2 logit (how close greedy came to another choice)
     */
    public record Result(long[] tokens, double[] top2Gaps) {}

    /**
     * Generates from one prompt.
     *
     * @throws InvalidSettingException when prompt + new tokens exceed the model's context
     */
    public static Result generate(CausalLM model, long[] prompt, GenerationConfig gc) {
        if (prompt.length == 0) throw new InvalidSettingException("prompt", "is empty: give at least one token");
        int ctxLen = model.config().maxPositions();
        if (prompt.length + gc.maxNewTokens() > ctxLen)
            throw new InvalidSettingException("maxNewTokens", "(" + gc.maxNewTokens() + ") + prompt (" + prompt.length
                    + " tokens) = " + (prompt.length + gc.maxNewTokens()) + " exceeds the model's context of "
                    + ctxLen + " positions: shorten the prompt or generate fewer tokens");
        long vocab = model.config().vocabSize();
        for (long id : prompt)
            if (id < 0 || id >= vocab) throw new InvalidSettingException("prompt", "token id " + id
                    + " is outside the vocabulary [0, " + vocab + ")");
        long[] out = Arrays.copyOf(prompt, prompt.length + gc.maxNewTokens());
        double[] gaps = new double[gc.maxNewTokens()];
        int len = prompt.length;
        long eos = model.config().eosTokenId().orElse(-1);
        try (Rng rng = Rng.seeded("sampling", gc.seed()); KvCache cache = new KvCache(model.blockParams().size());
             GradMode g = GradMode.off()) {
            Tensor next = Tensors.fromLongs(prompt, 1, prompt.length).to(model.device()).keep();
            for (int step = 0; step < gc.maxNewTokens(); step++) {
                long tok;
                try (Scope s = Scope.open()) {
                    Tensor logits = model.logits(next, null, cache, null);           // (1, T, V)
                    Tensor last = logits.select(1, logits.size(1) - 1).select(0, 0); // (V)
                    if (!Double.isFinite(last.abs().max().itemDouble())) throw new NonFiniteLogitsException(step);
                    gaps[step] = topTwoGap(last);
                    tok = gc.greedy() ? last.argmax(0, false).itemLong() : sample(last, gc, rng);
                }
                next.close();
                out[len++] = tok;
                if (gc.stopAtEos() && tok == eos) break;
                next = Tensors.fromLongs(new long[] {tok}, 1, 1).to(model.device()).keep();
            }
            next.close();
        }
        return new Result(Arrays.copyOf(out, len), Arrays.copyOf(gaps, len - prompt.length));
    }

    private static double topTwoGap(Tensor logits) {
        Tensor[] top = NN.topk(logits, Math.min(2, logits.size(0)));
        float[] v = top[0].toFloatArray();
        return v.length < 2 ? Double.POSITIVE_INFINITY : v[0] - v[1];
    }

    /** Temperature, then top-k, then top-p (keeping at least one token), then one multinomial draw. */
    static long sample(Tensor logits, GenerationConfig gc, Rng rng) {
        Tensor l = logits.to(DType.F32).div(gc.temperature()); // (V)
        Tensor[] sorted = NN.sortDescending(l);                 // values, indices (V)
        Tensor vals = sorted[0];
        long v = vals.size(0);
        if (gc.topK() > 0 && gc.topK() < v) {
            Tensor keep = Tensors.arange(v, l.device()).lt(gc.topK());
            vals = vals.maskedFill(keep.logicalNot(), Double.NEGATIVE_INFINITY);
        }
        if (gc.topP() < 1.0) {
            Tensor probs = NN.softmax(vals, 0);
            Tensor cum = probs.cumsum(0);
            // drop a token when the mass before it already reaches p (the first token always stays)
            Tensor drop = cum.sub(probs).gt(gc.topP() - 1e-12).logicalAnd(Tensors.arange(v, l.device()).gt(0));
            vals = vals.maskedFill(drop, Double.NEGATIVE_INFINITY);
        }
        long pick = NN.multinomial(NN.softmax(vals, 0), rng).itemLong();
        return sorted[1].toLongArray()[(int) pick];
    }
}
