package dev.frugal.interp;

import dev.frugal.model.AttentionParts;
import dev.frugal.model.CausalLM;
import dev.frugal.model.LayerOps;
import dev.frugal.model.MlpParts;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference {@link PatchedForward} is checked against: one configuration, one sequence of plain hooks, every head
 * computed alone from its own inputs, every removed edge applied on its own —
 * {@code input_r = resid + (corrupted_s − current_s)} added edge by edge — with no batching, fusing, caching or
 * reuse. The corrupted values come from this class's own unpatched run of the corrupted input.
 */
final class NaivePatching implements LayerOps {
    private final Set<Edge> removed;
    private final Map<Node, Tensor> corrupted; // sender → (B, T, C), null while recording them
    private final Map<Node, Tensor> current = new HashMap<>();
    private final int layers;

    private NaivePatching(Set<Edge> removed, Map<Node, Tensor> corrupted, int layers) {
        this.removed = removed;
        this.corrupted = corrupted;
        this.layers = layers;
    }

    /** Logits {@code (B, T, V)} of {@code ids} with {@code removed} patched to their values on {@code bad}. */
    static Tensor logits(CausalLM model, Tensor ids, Tensor bad, Set<Edge> removed) {
        int layers = model.config().numLayers();
        NaivePatching rec = new NaivePatching(Set.of(), null, layers);
        model.logits(bad, null, null, rec);
        return model.logits(ids, null, null, new NaivePatching(removed, rec.current, layers));
    }

    /** The input of receiver {@code r}: {@code resid} with each of its removed edges patched, one at a time. */
    private Tensor input(Node r, Tensor resid) {
        Tensor x = resid;
        for (Edge e : removed)
            if (e.receiver().equals(r)) x = x.add(corrupted.get(e.sender()).sub(current.get(e.sender())));
        return x;
    }

    @Override
    public Tensor embedding(String module, Tensor table, Tensor ids) {
        return LayerOps.PLAIN.embedding(module, table, ids);
    }

    @Override
    public Tensor residual(int layer, Tensor h) {
        if (layer == 0) current.put(Node.embed(), h); // every embedding summed, as the blocks receive it
        return layer == layers ? input(Node.output(), h) : h;
    }

    @Override
    public Tensor attention(AttentionParts p, Tensor resid) {
        int l = p.layer(), nh = p.heads();
        Node.Kind[] kinds = {Node.Kind.Q, Node.Kind.K, Node.Kind.V};
        Tensor bias = null;
        Tensor sum = null;
        List<Tensor> outs = new ArrayList<>();
        for (int h = 0; h < nh; h++) {
            Tensor[] qkv = new Tensor[3];
            for (int i = 0; i < 3; i++) {
                Tensor x = p.norm(input(Node.input(kinds[i], l, h), resid));
                qkv[i] = p.projectHead(AttentionParts.Role.values()[i], h, x).unsqueeze(1); // (B, 1, T, D)
            }
            Tensor z = p.attend(qkv[0], qkv[1], qkv[2]); // (B, T, 1, D)
            Tensor o = p.outputHead(h, z.select(2, 0)); // (B, T, C)
            outs.add(o);
            if (bias == null) bias = p.output(Tensors.zerosLike(z).expand(z.size(0), z.size(1), nh, z.size(3))); // b_O
            sum = sum == null ? o : sum.add(o);
        }
        for (int h = 0; h < nh; h++) current.put(Node.head(l, h), outs.get(h));
        return sum.add(bias);
    }

    @Override
    public Tensor mlp(MlpParts p, Tensor resid) {
        Tensor out = p.apply(p.norm(input(Node.mlp(p.layer()), resid)));
        current.put(Node.mlp(p.layer()), out);
        return out;
    }
}
