package dev.frugal.interp;

import dev.frugal.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Every sender's output and every layer's residual stream for one input batch {@code (B, T)}, kept past the scope
 * that computed them: the clean run (reused up to the first patched layer) and the corrupted run (the values removed
 * edges carry).
 */
public final class ActivationCache implements AutoCloseable {
    private final Tensor embed; // (B, T, C)
    private final List<List<Tensor>> heads = new ArrayList<>(); // per layer, per head (B, T, C) contiguous, without b_O
    private final List<Tensor> mlps = new ArrayList<>(); // per layer (B, T, C) or null
    private final List<Tensor> residPre = new ArrayList<>(); // per layer, plus the final residual: (B, T, C)
    private Tensor logits; // (B, T, V)

    ActivationCache(Tensor embed) { this.embed = embed.keep(); }

    void addLayer(Tensor residPre, Tensor heads, Tensor mlp) {
        this.residPre.add(residPre.keep());
        List<Tensor> per = new ArrayList<>();
        for (int h = 0; h < heads.size(1); h++) per.add(heads.select(1, h).contiguous().keep());
        this.heads.add(per);
        this.mlps.add(mlp == null ? null : mlp.keep());
    }

    void finish(Tensor finalResid, Tensor logits) {
        this.residPre.add(finalResid.keep());
        this.logits = logits.keep();
    }

    /** The output of sender {@code s}: {@code (B, T, C)}. */
    public Tensor sender(Node s) {
        return switch (s.kind()) {
            case EMBED -> embed;
            case HEAD -> heads.get(s.layer()).get(s.head());
            case MLP -> mlps.get(s.layer());
            default -> throw new IllegalArgumentException(s + " is not a sender");
        };
    }

    /** The residual stream entering block {@code layer} ({@code numLayers}: the final residual), (B, T, C). */
    public Tensor residPre(int layer) { return residPre.get(layer); }

    /** Logits (B, T, V). */
    public Tensor logits() { return logits; }

    public long batch() { return embed.size(0); }

    @Override
    public void close() {
        embed.close();
        for (List<Tensor> l : heads) for (Tensor t : l) t.close();
        for (Tensor t : mlps) if (t != null) t.close();
        for (Tensor t : residPre) t.close();
        if (logits != null) logits.close();
    }
}
