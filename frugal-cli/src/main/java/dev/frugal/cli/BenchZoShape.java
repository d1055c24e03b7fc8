package dev.frugal.cli;

import dev.frugal.UserInputException;
import dev.frugal.model.opt.OptConfig;
import dev.frugal.model.opt.OptRandomInit;

/**
 * The model and batch of {@code frugal bench zo}: an OPT-style decoder with random weights.
 *
 * @param layers blocks of the base model (the {@code _x2} mode doubles them)
 * @param batch  sequences per batch (B)
 * @param tokens tokens per sequence (T)
 */
record BenchZoShape(String name, int vocab, int hidden, int layers, int heads, int ffn, int maxPositions, int batch,
                    int tokens) {
    BenchZoShape {
        if (tokens > maxPositions) throw new UserInputException("bench sequence length " + tokens
                + " exceeds the model's positions " + maxPositions);
    }

    /** The model: 24 blocks, hidden 1024, 16 heads, ffn 4096, vocab 16384 (about 320M parameters), 4 × 128. */
    static final BenchZoShape FULL = new BenchZoShape("full", 16384, 1024, 24, 16, 4096, 2048, 4, 128);

    /** A small model for smoke tests (seconds per mode). */
    static final BenchZoShape QUICK = new BenchZoShape("quick", 512, 64, 4, 4, 256, 128, 2, 32);

    /** The full model's width at 4 blocks: for same-window mode comparisons when the full model is too slow. */
    static final BenchZoShape MID = new BenchZoShape("mid", 16384, 1024, 4, 16, 4096, 2048, 4, 128);

    /** OPT-1.3B's shapes (ZO2's paper, GPU setting): 24 blocks, hidden 2048, 32 heads, ffn 8192, 1 × 2048 tokens. */
    static final BenchZoShape OPT_1_3B = new BenchZoShape("opt-1.3b", 50272, 2048, 24, 32, 8192, 2048, 1, 2048);

    /** OPT-6.7B's shapes: 32 blocks, hidden 4096, 32 heads, ffn 16384, 1 × 2048 tokens. */
    static final BenchZoShape OPT_6_7B = new BenchZoShape("opt-6.7b", 50272, 4096, 32, 32, 16384, 2048, 1, 2048);

    /**
     * OPT-6.7B's shapes at a short sequence (1 × 32 tokens), for the disk-streamed mode on the CPU: 6.66B parameters,
     * 13.4 GB in bf16, whose fp32 copy (26.6 GB) does not fit this machine's memory.
     */
    static final BenchZoShape OPT_6_7B_SHORT = new BenchZoShape("opt-6.7b-short", 50272, 4096, 32, 32, 16384, 2048, 1, 32);

    static BenchZoShape named(String n) {
        return switch (n) {
            case "full" -> FULL;
            case "mid" -> MID;
            case "quick" -> QUICK;
            case "opt-1.3b" -> OPT_1_3B;
            case "opt-6.7b" -> OPT_6_7B;
            case "opt-6.7b-short" -> OPT_6_7B_SHORT;
            default -> throw new UserInputException("unknown bench size '" + n
                    + "': use full, mid, quick, opt-1.3b or opt-6.7b");
        };
    }

    /** Trainable parameters with {@code factor} × the base depth (tied LM head counted once). */
    long parameterCount(int factor) {
        long h = hidden;
        return (long) vocab * h + (maxPositions + 2L) * h + 2 * h + (long) layers * factor * blockParameterCount();
    }

    /** Parameters of one block: q, k, v, out projections, fc1, fc2 (with biases) and two LayerNorms. */
    long blockParameterCount() {
        long h = hidden, f = ffn;
        return 4 * (h * h + h) + f * h + f + h * f + h + 4 * h;
    }

    /** The OPT config with {@code factor} × the base depth. */
    OptConfig config(int factor) { return OptRandomInit.config(vocab, hidden, layers * factor, heads, ffn, maxPositions); }
}
