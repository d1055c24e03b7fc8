package dev.frugal.interp;

import dev.frugal.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every sender's output and every layer's residual stream for one input batch {@code (B, T)}, kept past the scope
 * that computed them: the clean run (reused up to the first patched layer) and the corrupted run (the values removed
 * edges carry). Filled by {@link PatchedForward#cache} as the model's blocks run.
 */
public final class ActivationCache implements AutoCloseable {
    private Tensor embed; // (B, T, C)
    private final List<Tensor[]> heads = new ArrayList<>(); // per layer, per head (B, T, C) contiguous, without b_O
    private final Tensor[] mlps; // per layer (B, T, C)
    private final Tensor[] residPre; // per layer, plus the final residual: (B, T, C)
    private Tensor logits; // (B, T, V)

    ActivationCache(int layers) {
        this.mlps = new Tensor[layers];
        this.residPre = new Tensor[layers + 1];
        for (int l = 0; l < layers; l++) heads.add(null);
    }

    void embed(Tensor e) { this.embed = e.keep(); }

    /** The residual entering block {@code layer} ({@code layers}: the final residual). */
    void residPre(int layer, Tensor h) { residPre[layer] = h.keep(); }

    void heads(int layer, Tensor[] outs) {
        Tensor[] kept = new Tensor[outs.length];
        for (int h = 0; h < outs.length; h++) kept[h] = outs[h].contiguous().keep();
        heads.set(layer, kept);
    }

    void mlp(int layer, Tensor out) { mlps[layer] = out.keep(); }

    void finish(Tensor logits) {
        if (embed == null || Arrays.asList(residPre).contains(null) || Arrays.asList(mlps).contains(null)
                || heads.contains(null)) throw new IllegalStateException("the model's blocks did not report every"
                + " activation: it must call LayerOps.residual, attention and mlp in every block");
        this.logits = logits.keep();
    }

    /** The output of sender {@code s}: {@code (B, T, C)}. */
    public Tensor sender(Node s) {
        return switch (s.kind()) {
            case EMBED -> embed;
            case HEAD -> heads.get(s.layer())[s.head()];
            case MLP -> mlps[s.layer()];
            default -> throw new IllegalArgumentException(s + " is not a sender");
        };
    }

    /** The residual stream entering block {@code layer} ({@code numLayers}: the final residual), (B, T, C). */
    public Tensor residPre(int layer) { return residPre[layer]; }

    /** Logits (B, T, V). */
    public Tensor logits() { return logits; }

    public long batch() { return embed.size(0); }

    @Override
    public void close() {
        if (embed != null) embed.close();
        for (Tensor[] l : heads) if (l != null) for (Tensor t : l) t.close();
        for (Tensor t : mlps) if (t != null) t.close();
        for (Tensor t : residPre) if (t != null) t.close();
        if (logits != null) logits.close();
    }
}
