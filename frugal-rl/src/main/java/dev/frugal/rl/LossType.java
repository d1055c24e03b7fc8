package dev.frugal.rl;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How the per-token GRPO loss {@code ℓ(i,t)} is reduced to one number, under TRL's {@code GRPOConfig.loss_type}
 * names. With mask {@code m (B, T)} and {@code L = max_completion_length}:
 *
 * <pre>
 *   grpo     mean over sequences of  Σ_t ℓ·m / max(Σ_t m, 1)         (DeepSeekMath eq. 3: per-sequence token mean)
 *   dr_grpo  Σ_{i,t} ℓ·m / (B · L)                                    (Dr. GRPO, arXiv 2503.20783: a constant)
 *   dapo     Σ_{i,t} ℓ·m / max(Σ_{i,t} m, 1)                          (DAPO, arXiv 2503.14476 eq. 8: token-level)
 * </pre>
 *
 * For {@code dapo} the denominator is the number of completion tokens of the whole generation batch (TRL's
 * {@code num_items_in_batch}); frugal takes one optimizer step per generation batch, so it is this batch's count.
 */
public enum LossType {
    GRPO("grpo"), DR_GRPO("dr_grpo"), DAPO("dapo");

    private final String optionName;

    LossType(String optionName) { this.optionName = optionName; }

    /** The name TRL uses ({@code --loss-type grpo}). */
    public String optionName() { return optionName; }

    /**
     * @throws IllegalArgumentException naming the accepted values
     */
    public static LossType parse(String name) {
        for (LossType t : values()) if (t.optionName.equals(name)) return t;
        throw new dev.frugal.InvalidSettingException("lossType", "'" + name + "' is not one of "
                + Arrays.stream(values()).map(LossType::optionName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() { return optionName; }
}
