package dev.frugal.zo;

import dev.frugal.model.ParamGroup;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resident parameters of one side of the blocks (prefix or suffix) during a step: the pending update applied,
 * then θ₊ = θ + (1·z)ε and θ₋ = θ₊ + (−2·z)ε materialised, because the embedding runs both perturbed forwards before
 * the blocks and the head both after them. {@link #restore()} leaves θ₋ + (1·z)ε in place, MeZO's exact arithmetic.
 */
final class Resident {
    private final StagedModel model;
    private final List<String> names;
    private final Map<String, Tensor> original = new LinkedHashMap<>();
    private final Map<String, Tensor> plus = new LinkedHashMap<>();
    private final Map<String, Tensor> minus = new LinkedHashMap<>();
    private final Map<String, Tensor> z = new LinkedHashMap<>();
    private final double eps;

    private Resident(StagedModel model, List<String> names, double eps) {
        this.model = model;
        this.names = names;
        this.eps = eps;
    }

    /** Applies the pending update to {@code names} and materialises θ± (tensors in the caller's scope). */
    static Resident perturb(StagedModel model, List<String> names, PerturbationStream cur, PerturbationStream prev,
                            PendingUpdate pending, ZoHyperparameters hp) {
        Resident r = new Resident(model, names, hp.eps());
        for (String n : names) {
            Tensor p = model.parameter(n);
            if (prev != null) update(p, prev.resident(n), n, pending, hp);
            Tensor zn = cur.resident(n);
            Tensor tp = p.add(zn.mul(1.0).mul(hp.eps()), 1.0);
            r.original.put(n, p);
            r.z.put(n, zn);
            r.plus.put(n, tp);
            r.minus.put(n, tp.add(zn.mul(-2.0).mul(hp.eps()), 1.0));
        }
        return r;
    }

    void usePlus() { swapIn(plus); }

    void useMinus() { swapIn(minus); }

    /** θ ← θ₋ + (1·z)ε in the original tensors, which go back into the model. */
    void restore() {
        for (String n : names) original.get(n).copyFrom(minus.get(n).add(z.get(n).mul(1.0).mul(eps), 1.0));
        swapIn(original);
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

    /** θ ← θ + (scale·z)·ε in place. */
    static void shift(Tensor p, Tensor z, double scale, double eps) { p.addInPlace(z.mul(scale).mul(eps), 1.0); }

    /** MeZO's update in place: θ ← θ − lr·(g·z [+ wd·θ]). */
    static void update(Tensor p, Tensor z, String name, PendingUpdate upd, ZoHyperparameters hp) {
        Tensor d = z.mul(upd.grad());
        if (hp.weightDecay() > 0 && ZoHyperparameters.decays(name)) d = d.add(p.mul(hp.weightDecay()));
        p.addInPlace(d.mul(upd.lr()), -1.0);
    }
}
