package dev.frugal.model;

import dev.frugal.tensor.Tensor;

/**
 * A decoder-only language model (OPT, GPT-2, Llama, Qwen3) as embedding → blocks → head.
 */
public interface CausalLM extends StagedModel {
    @Override
    DecoderConfig config();

    /** {@code (B, T)} int64 token ids → hidden states {@code (B, T, C)}. */
    Tensor embed(Tensor inputIds, ForwardContext ctx);

    /** Final norm (if any) and LM head: {@code (B, T, C)} → logits {@code (B, T, V)}. */
    Tensor head(Tensor hidden, ForwardContext ctx);

    /** A context for {@code inputIds (B, T)} with optional padding mask {@code (B, past+T)} and cache. */
    default ForwardContext context(Tensor inputIds, Tensor paddingMask, KvCache cache, LayerOps ops) {
        return new ForwardContext(inputIds.size(0), inputIds.size(1), paddingMask, cache, ops, true, device());
    }

    /** Full forward: logits {@code (B, T, V)}. */
    default Tensor logits(Tensor inputIds, Tensor paddingMask, KvCache cache, LayerOps ops) {
        ForwardContext ctx = context(inputIds, paddingMask, cache, ops);
        Tensor h = embed(inputIds, ctx);
        for (int i = 0; i < blockParams().size(); i++) h = block(i, h, ctx);
        return head(h, ctx);
    }

    /** Full forward without mask, cache or hooks. */
    default Tensor logits(Tensor inputIds) { return logits(inputIds, null, null, null); }

    /**
     * The name parameter {@code param} is stored under in {@code ckpt}, a checkpoint this architecture loads (the same
     * name unless the architecture accepts other spellings, as GPT-2 does without its {@code transformer.} prefix).
     */
    default String storedName(dev.frugal.io.Checkpoint ckpt, String param) { return param; }
}
