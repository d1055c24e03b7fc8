package dev.frugal.zo;

import dev.frugal.model.ParamGroup;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resident parameters of one side of the blocks (prefix or suffix) during a step: the pending update applied,
 * then θ₊ = θ + (1·z)ε materialised as a copy and θ₋ = θ₊ + (−2·z)ε computed in the model's own tensor, because the
 * embedding runs both perturbed forwards before the blocks and the head both after them. {@link #restore()} leaves
 * θ₋ + (1·z)ε in place, MeZO's exact arithmetic. Held per parameter meanwhile: θ₋ (the parameter), θ₊ and z·ε.
 *
 * <p>Bit-exactness: MeZO adds {@code (s·z)·ε} for s ∈ {1, −2, 1}. Scaling by a power of two is exact in binary
 * floating point, so {@code (−2·z)·ε = −2·(z·ε)} bit for bit, and {@code θ + (−2)·(z·ε)} (libtorch's
 * {@code add_(other, alpha)}, a fused multiply-add whose product is exact here) rounds once, as MeZO's sum does.
 * So z·ε is computed once per parameter and reused for all three shifts.
 */
final class Resident {
    private final StagedModel model;
    private final List<String> names;
    private final Map<String, Tensor> original = new LinkedHashMap<>();
    private final Map<String, Tensor> plus = new LinkedHashMap<>();
    private final Map<String, Tensor> zEps = new LinkedHashMap<>();

    private Resident(StagedModel model, List<String> names) {
        this.model = model;
        this.names = names;
    }

    /** Applies the pending update to {@code names} and materialises θ₊ (copies) and θ₋ (in place). */
    static Resident perturb(StagedModel model, List<String> names, PerturbationStream cur, PerturbationStream prev,
                            PendingUpdate pending, ZoHyperparameters hp) {
        Resident r = new Resident(model, names);
        for (String n : names) {
            Tensor p = model.parameter(n);
            if (prev != null) {
                Tensor zp = prev.takeResident(n);
                update(p, zp, n, pending, hp);
                zp.close();
            }
            Tensor ze = cur.takeResident(n).mulInPlace(hp.eps()); // z·ε, kept (taken from the stream)
            Tensor tp = p.add(ze, 1.0).keep(); // θ₊ = θ + (1·z)ε
            p.copyFrom(tp).addInPlace(ze, -2.0); // θ₋ = θ₊ + (−2·z)ε, in the model's tensor
            r.original.put(n, p);
            r.zEps.put(n, ze);
            r.plus.put(n, tp);
        }
        return r;
    }

    void usePlus() { swapIn(plus); }

    void useMinus() { swapIn(original); }

    /** θ ← θ₋ + (1·z)ε in the original tensors, which go back into the model; frees θ₊ and z·ε. */
    void restore() {
        swapIn(original);
        for (String n : names) original.get(n).addInPlace(zEps.get(n), 1.0);
        plus.values().forEach(Tensor::close);
        zEps.values().forEach(Tensor::close);
        plus.clear();
        zEps.clear();
    }

    private void swapIn(Map<String, Tensor> which) {
        for (String n : names) {
            ParamGroup g = groupOf(n);
            Tensor now = g.get(n);
            Tensor next = which.get(n);
            if (now == next) continue;
            if (now == original.get(n)) now.keep(); // put() drops one reference of the tensor it replaces
            g.put(n, next);
            if (next == original.get(n)) next.close(); // balance the keep() taken when it was swapped out
        }
    }

    private ParamGroup groupOf(String name) {
        for (ParamGroup g : model.stages()) if (g.contains(name)) return g;
        throw new IllegalStateException("no stage holds " + name);
    }

    /**
     * MeZO's update in place: θ ← θ − lr·(g·z [+ wd·θ]). Consumes {@code z} (it is overwritten with the step; the same
     * float operations as out-of-place, so the same bits).
     */
    static void update(Tensor p, Tensor z, String name, PendingUpdate upd, ZoHyperparameters hp) {
        Tensor d = z.mulInPlace(upd.grad());
        if (hp.weightDecay() > 0 && ZoHyperparameters.decays(name)) d.addInPlace(p.mul(hp.weightDecay()));
        p.addInPlace(d.mulInPlace(upd.lr()), -1.0);
    }
}
