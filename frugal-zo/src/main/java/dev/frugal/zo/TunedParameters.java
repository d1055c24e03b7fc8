package dev.frugal.zo;

import dev.frugal.InvalidSettingException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which parameters ZO-SGD tunes; the others are frozen: neither perturbed nor updated, and no z is drawn for them.
 * The z of a step is drawn for the tuned parameters only, in {@code named_parameters()} order from the step seed, which
 * is exactly what MeZO does when the frozen parameters have {@code requires_grad=False} (its
 * {@code named_parameters_to_optim}): the stream is MeZO's for the same trainable set, and for {@link All} it is the
 * unchanged full stream, bit for bit.
 *
 * <p>Why a subset: the projected gradient g = (ℓ₊ − ℓ₋)/(2ε) estimates zᵀ∇L, and the update −lr·g·z has variance
 * ≈ lr²·|∇L|²·d over the d perturbed coordinates (MeZO, §4 and Lemma 2: the slowdown scales with the effective
 * dimension), so tuning fewer parameters lowers the noise per useful step.
 *
 * <p>"Head" is the model's parameters named after its last block (ZO2's resident suffix: final norm, pooler,
 * classifier or untied LM head, frugal's {@code frugal_head.*}). Spelled {@code all}, {@code head},
 * {@code head+topN} and {@code bitfit} ({@link #parse}, {@link #toString}).
 */
public sealed interface TunedParameters {
    /** Every parameter (MeZO's full-parameter setting; the default). */
    TunedParameters ALL = new All();

    /** Every parameter: the default, bit-identical to the engine without a subset. */
    record All() implements TunedParameters {
        @Override
        public boolean tunes(String name, int block, int numBlocks) { return true; }

        @Override
        public String toString() { return "all"; }
    }

    /** The head only (the parameters after the last block): ZO over a linear probe, the encoder frozen. */
    record Head() implements TunedParameters {
        @Override
        public boolean tunes(String name, int block, int numBlocks) { return block == numBlocks; }

        @Override
        public String toString() { return "head"; }
    }

    /** The head and the top {@code blocks} blocks; the embedding and the lower blocks frozen. */
    record HeadAndTopBlocks(int blocks) implements TunedParameters {
        public HeadAndTopBlocks {
            if (blocks < 1) throw new InvalidSettingException("tuned", "head+topN needs N >= 1, got " + blocks
                    + " (use 'head' for the head alone)");
        }

        @Override
        public boolean tunes(String name, int block, int numBlocks) { return block >= numBlocks - blocks; }

        @Override
        public String toString() { return "head+top" + blocks; }
    }

    /**
     * BitFit (Ben Zaken et al. 2022): biases and norm parameters everywhere (those MeZO's weight decay skips,
     * {@link ZoHyperparameters#decays}), plus the head.
     */
    record BitFit() implements TunedParameters {
        @Override
        public boolean tunes(String name, int block, int numBlocks) {
            return block == numBlocks || !ZoHyperparameters.decays(name);
        }

        @Override
        public String toString() { return "bitfit"; }
    }

    /**
     * Whether parameter {@code name} is tuned.
     *
     * @param block     the block holding it, −1 for the parameters before the first block (embedding), {@code numBlocks}
     *                  for those after the last (the head)
     * @param numBlocks the model's number of blocks
     */
    boolean tunes(String name, int block, int numBlocks);

    /** Whether this is {@link All}. */
    default boolean isAll() { return this instanceof All; }

    /**
     * The subset spelled {@code all}, {@code head}, {@code head+topN} (N ≥ 1) or {@code bitfit}.
     *
     * @throws InvalidSettingException naming {@code tuned} when the spelling is none of these
     */
    static TunedParameters parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = Pattern.compile("head\\+top(\\d{1,6})").matcher(t);
        if (m.matches()) return new HeadAndTopBlocks(Integer.parseInt(m.group(1)));
        return switch (t) {
            case "all" -> ALL;
            case "head" -> new Head();
            case "bitfit" -> new BitFit();
            default -> throw new InvalidSettingException("tuned", "is all, head, head+topN (N >= 1 blocks) or bitfit,"
                    + " got '" + text + "'");
        };
    }
}
