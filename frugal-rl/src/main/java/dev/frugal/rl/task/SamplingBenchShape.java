package dev.frugal.rl.task;

/**
 * The model a GRPO sampling benchmark decodes with. {@link #TRAINED} is the task-family policy itself: 0.8 M
 * parameters and ≈ 86 KB of keys and values per sequence, so the process's memory is mostly runtime and weights, and
 * KV hardly shows. {@link #KV_HEAVY} is a wider Llama with random weights that replays the trained policy's completion
 * lengths ({@link dev.frugal.rl.GroupSampler#replay}): every key/value head kept (no GQA) and a narrow MLP, so that, as
 * for the paper's 1.7B model at G = 32, keys and values of the whole group outweigh the weights.
 */
public enum SamplingBenchShape {
    TRAINED("trained", null),
    /** Llama, 8 layers, C = 256, 8 heads = 8 KV heads (D = 32), F = 256, 96 positions: 3.7 M parameters, 14.7 MB;
     *  2·8·256·4 B = 16 KB of keys and values per position, ≈ 1.1 MB per 69-position sequence. */
    KV_HEAVY("kv-heavy", new TinyLm("llama", 256, 8, 8, 8, 256, TinyLm.POSITIONS)),
    /**
     * The GPU setting: Qwen3-1.7B's shapes (28 layers, C = 2048, 16 heads of 128, 8 KV heads, F = 6144, vocabulary
     * 151,936, tied head: 1.72 B parameters, 6.9 GB in fp32), random weights, 2·28·8·128·4 B = 224 KB of keys and
     * values per position. For {@code --device cuda}; on a CPU it would take hours.
     */
    QWEN3_1_7B("qwen3-1.7b", new TinyLm("qwen3", 2048, 28, 16, 8, 6144, TinyLm.POSITIONS, 151_936));

    private final String optionName;
    private final TinyLm spec;

    SamplingBenchShape(String optionName, TinyLm spec) {
        this.optionName = optionName;
        this.spec = spec;
    }

    public String optionName() { return optionName; }

    /** The shape of the random-weight model, or null for {@link #TRAINED}. */
    public TinyLm spec() { return spec; }

    @Override
    public String toString() { return optionName; }
}
