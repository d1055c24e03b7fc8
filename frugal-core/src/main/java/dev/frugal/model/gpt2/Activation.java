package dev.frugal.model.gpt2;

import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;
import java.util.Arrays;
import java.util.Optional;

/**
 * The MLP non-linearities a GPT-2 {@code activation_function} may name, as Hugging Face's {@code ACT2FN} defines them.
 */
public enum Activation {
    /** {@code gelu_new}: GPT-2's GELU, tanh approximation {@code 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))}. */
    GELU_NEW("gelu_new"),
    /** {@code gelu_pytorch_tanh}: the same tanh approximation as PyTorch's fused kernel computes it. */
    GELU_PYTORCH_TANH("gelu_pytorch_tanh"),
    /** {@code gelu_fast}: the tanh approximation written as {@code tanh(0.79788456 x (1 + 0.044715 x²))}. */
    GELU_FAST("gelu_fast"),
    /** {@code gelu}: exact GELU {@code x Φ(x)} (erf form). */
    GELU("gelu"),
    /** {@code quick_gelu}: {@code x σ(1.702 x)}. */
    QUICK_GELU("quick_gelu"),
    RELU("relu"),
    /** {@code silu} / {@code swish}: {@code x σ(x)}. */
    SILU("silu"),
    TANH("tanh");

    private final String hfName;

    Activation(String hfName) { this.hfName = hfName; }

    /** The {@code activation_function} value in config.json. */
    public String hfName() { return hfName; }

    /** The activation named {@code name} in config.json ({@code swish} is {@link #SILU}), or empty if unknown. */
    public static Optional<Activation> fromHf(String name) {
        if (name.equals("swish")) return Optional.of(SILU);
        return Arrays.stream(values()).filter(a -> a.hfName.equals(name)).findFirst();
    }

    /** Every accepted config name, for error messages. */
    public static String accepted() {
        return String.join(", ", Arrays.stream(values()).map(Activation::hfName).toList()) + ", swish";
    }

    /** Applies the activation elementwise: {@code (…)} → {@code (…)}. */
    public Tensor apply(Tensor x) {
        return switch (this) {
            // the three tanh forms agree to float rounding (≈1e-7): one fused kernel serves them all
            case GELU_NEW, GELU_PYTORCH_TANH, GELU_FAST -> NN.geluTanh(x);
            case GELU -> NN.gelu(x);
            case QUICK_GELU -> x.mul(x.mul(1.702).sigmoid());
            case RELU -> x.relu();
            case SILU -> NN.silu(x);
            case TANH -> x.tanh();
        };
    }
}
