package dev.frugal.cli;

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
        if (tokens > maxPositions) throw new IllegalArgumentException("bench sequence length " + tokens
                + " exceeds the model's positions " + maxPositions);
    }

    /** The model: 24 blocks, hidden 1024, 16 heads, ffn 4096, vocab 16384 (about 320M parameters), 4 × 128. */
    static final BenchZoShape FULL = new BenchZoShape("full", 16384, 1024, 24, 16, 4096, 2048, 4, 128);

    /** A small model for smoke tests (seconds per mode). */
    static final BenchZoShape QUICK = new BenchZoShape("quick", 512, 64, 4, 4, 256, 128, 2, 32);

    /** The full model's width at 4 blocks: for same-window mode comparisons when the full model is too slow. */
    static final BenchZoShape MID = new BenchZoShape("mid", 16384, 1024, 4, 16, 4096, 2048, 4, 128);

    static BenchZoShape named(String n) {
        return switch (n) {
            case "full" -> FULL;
            case "mid" -> MID;
            case "quick" -> QUICK;
            default -> throw new IllegalArgumentException("unknown bench size '" + n + "': use full, mid or quick");
        };
    }

    /** Trainable parameters with {@code factor} × the base depth (tied LM head counted once). */
    long parameterCount(int factor) {
        long h = hidden, f = ffn;
        long block = 4 * (h * h + h) + f * h + f + h * f + h + 4 * h;
        return (long) vocab * h + (maxPositions + 2L) * h + 2 * h + (long) layers * factor * block;
    }

    /** The OPT config with {@code factor} × the base depth. */
    OptConfig config(int factor) { return OptRandomInit.config(vocab, hidden, layers * factor, heads, ffn, maxPositions); }
}
