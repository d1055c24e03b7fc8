package dev.frugal.rl;

/**
 * GRPO hyper-parameters under TRL's {@code GRPOConfig} names (defaults as TRL's where they apply to a small model).
 *
 * @param numGenerations       G, completions per prompt ({@code num_generations}, ≥ 2)
 * @param maxCompletionLength  L, new tokens per completion at most ({@code max_completion_length}, ≥ 1)
 * @param temperature          sampling temperature; log-probabilities are taken of {@code logits / temperature} (> 0)
 * @param topP                 nucleus mass ({@code top_p}, in (0, 1])
 * @param epsilon              lower clip ε_low of the ratio ({@code epsilon}, ≥ 0)
 * @param epsilonHigh          upper clip ε_high ({@code epsilon_high}, DAPO's clip-higher; TRL's default = epsilon)
 * @param beta                 weight of the k3 KL to the frozen reference ({@code beta}, ≥ 0; 0 = no reference)
 * @param lossType             reduction of the per-token loss ({@code loss_type})
 * @param scaleRewards         advantage scaling ({@code scale_rewards})
 * @param numIterations        μ, policy updates per generation batch ({@code num_iterations}, ≥ 1)
 * @param learningRate         AdamW learning rate ({@code learning_rate})
 */
public record GrpoConfig(int numGenerations, int maxCompletionLength, double temperature, double topP, double epsilon,
                         double epsilonHigh, double beta, LossType lossType, ScaleRewards scaleRewards,
                         int numIterations, double learningRate) {
    public GrpoConfig {
        if (numGenerations < 2) throw new dev.frugal.InvalidSettingException("numGenerations", "must be >= 2 (a group needs"
                + " two samples to compare), got " + numGenerations);
        if (maxCompletionLength < 1) throw new dev.frugal.InvalidSettingException("maxCompletionLength", "must be >= 1, got "
                + maxCompletionLength);
        if (!(temperature > 0) || Double.isInfinite(temperature))
            throw new dev.frugal.InvalidSettingException("temperature", "must be a finite value > 0, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new dev.frugal.InvalidSettingException("topP", "must be in (0, 1], got " + topP);
        if (!(epsilon >= 0 && epsilon < 1)) throw new dev.frugal.InvalidSettingException("epsilon", "must be in [0, 1), got " + epsilon);
        if (!(epsilonHigh >= 0) || Double.isInfinite(epsilonHigh))
            throw new dev.frugal.InvalidSettingException("epsilonHigh", "must be a finite value >= 0, got " + epsilonHigh);
        if (!(beta >= 0) || Double.isInfinite(beta)) throw new dev.frugal.InvalidSettingException("beta", "must be >= 0, got " + beta);
        java.util.Objects.requireNonNull(lossType, "lossType");
        java.util.Objects.requireNonNull(scaleRewards, "scaleRewards");
        if (numIterations < 1) throw new dev.frugal.InvalidSettingException("numIterations", "must be >= 1, got " + numIterations);
        if (!(learningRate >= 0) || Double.isInfinite(learningRate))
            throw new dev.frugal.InvalidSettingException("learningRate", "must be a finite value >= 0, got " + learningRate);
    }

    /** TRL's defaults for the loss (ε 0.2, β 0, dapo, group scaling, μ 1, T 1, top-p 1) with G and L given. */
    public static GrpoConfig defaults(int numGenerations, int maxCompletionLength) {
        return new GrpoConfig(numGenerations, maxCompletionLength, 1.0, 1.0, 0.2, 0.2, 0.0, LossType.DAPO,
                ScaleRewards.GROUP, 1, 1e-6);
    }

    public GrpoConfig withLossType(LossType t) {
        return new GrpoConfig(numGenerations, maxCompletionLength, temperature, topP, epsilon, epsilonHigh, beta, t,
                scaleRewards, numIterations, learningRate);
    }

    public GrpoConfig withBeta(double b) {
        return new GrpoConfig(numGenerations, maxCompletionLength, temperature, topP, epsilon, epsilonHigh, b, lossType,
                scaleRewards, numIterations, learningRate);
    }

    public GrpoConfig withClip(double low, double high) {
        return new GrpoConfig(numGenerations, maxCompletionLength, temperature, topP, low, high, beta, lossType,
                scaleRewards, numIterations, learningRate);
    }

    public GrpoConfig withNumIterations(int mu) {
        return new GrpoConfig(numGenerations, maxCompletionLength, temperature, topP, epsilon, epsilonHigh, beta,
                lossType, scaleRewards, mu, learningRate);
    }

    public GrpoConfig withLearningRate(double lr) {
        return new GrpoConfig(numGenerations, maxCompletionLength, temperature, topP, epsilon, epsilonHigh, beta,
                lossType, scaleRewards, numIterations, lr);
    }

    public GrpoConfig withSampling(double t, double p) {
        return new GrpoConfig(numGenerations, maxCompletionLength, t, p, epsilon, epsilonHigh, beta, lossType,
                scaleRewards, numIterations, learningRate);
    }

    public GrpoConfig withScaleRewards(ScaleRewards s) {
        return new GrpoConfig(numGenerations, maxCompletionLength, temperature, topP, epsilon, epsilonHigh, beta,
                lossType, s, numIterations, learningRate);
    }
}
