package dev.frugal.zo;

import dev.frugal.model.ParamGroup;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The resident parameters of one side of the blocks (prefix or suffix) during a step, perturbed in the model's own
 * tensors: the pending update applied, then θ₊ = θ + (1·z)ε in place; {@link #toMinus()} makes it θ₋ = θ₊ + (−2·z)ε
 * and {@link #restore()} θ₋ + (1·z)ε, MeZO's exact arithmetic. Held per parameter meanwhile: the parameter and z·ε,
 * nothing else. The embedding runs its θ₋ forward before the blocks while the tied head still needs θ₊ after them, so
 * {@link #withMinus} evaluates something at θ₋ through a transient copy (the same elementwise operation, so the same
 * bits as the in-place θ₋ later), freed before the blocks stream.
 *
 * <p>Bit-exactness: MeZO adds {@code (s·z)·ε} for s ∈ {1, −2, 1}. Scaling by a power of two is exact in binary
 * floating point, so {@code (−2·z)·ε = −2·(z·ε)} bit for bit, and {@code θ + (−2)·(z·ε)} (libtorch's
 * {@code add_(other, alpha)}, a fused multiply-add whose product is exact here) rounds once, as MeZO's sum does.
 * So z·ε is computed once per parameter and reused for all three shifts.
 */
final class Resident {
    private final StagedModel model;
    private final List<String> names;
    private final Map<String, Tensor> zEps = new LinkedHashMap<>();
    private boolean minus;

    private Resident(StagedModel model, List<String> names) {
        this.model = model;
        this.names = names;
    }

    /**
     * Applies the pending update to {@code names} and shifts them to θ₊ in place. The z tensors are taken from the
     * streams (which must hold them outside any open scope): each previous-step z is freed as soon as it is used.
     */
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
            Tensor ze = cur.takeResident(n).scaleInPlace(hp.eps()); // z·ε, kept until restore()
            p.addInPlace(ze, 1.0); // θ₊ = θ + (1·z)ε
            r.zEps.put(n, ze);
        }
        return r;
    }

    /**
     * {@code f} evaluated with these parameters at θ₋ while they stay at θ₊: each θ₋ = θ₊ + (−2·z)ε is a transient
     * copy swapped into the model and freed before this returns. Whatever {@code f} returns must not be a view of a
     * parameter; {@code keep()} it to use it afterwards.
     */
    <T> T withMinus(Supplier<T> f) {
        if (minus) throw new IllegalStateException("already at θ₋");
        Map<String, Tensor> originals = new LinkedHashMap<>();
        try (Scope s = Scope.open()) {
            for (String n : names) {
                ParamGroup g = groupOf(n);
                Tensor p = g.get(n);
                originals.put(n, p.keep()); // put() drops the group's reference of the tensor it replaces
                g.put(n, p.add(zEps.get(n), -2.0));
            }
            try {
                return f.get();
            } finally {
                for (var e : originals.entrySet()) {
                    groupOf(e.getKey()).put(e.getKey(), e.getValue()); // frees the copy (its scope's ref goes below)
                    e.getValue().close();
                }
            }
        }
    }

    /**
     * Frees z·ε while the blocks stream (the embedding-sized tensors are then only the parameters); {@link #redraw}
     * brings it back, bit for bit, before the head.
     */
    void dropZ() {
        zEps.values().forEach(Tensor::close);
        zEps.clear();
    }

    /**
     * z·ε drawn again from {@code again}, a fresh stream of the same step seed: these parameters must be the first
     * drawn from it (the prefix), so the generator gives the same z as the first time.
     */
    void redraw(PerturbationStream again, double eps) {
        if (!zEps.isEmpty()) throw new IllegalStateException("z·ε is still held");
        for (String n : names) zEps.put(n, again.takeResident(n).scaleInPlace(eps));
    }

    /** θ₊ → θ₋ = θ₊ + (−2·z)ε, in place. */
    void toMinus() {
        if (minus) return;
        for (String n : names) model.parameter(n).addInPlace(zEps.get(n), -2.0);
        minus = true;
    }

    /** θ ← θ₋ + (1·z)ε in place (through θ₋ when still at θ₊: the arithmetic is the same whatever was evaluated). */
    void restore() {
        toMinus();
        for (String n : names) model.parameter(n).addInPlace(zEps.get(n), 1.0);
        zEps.values().forEach(Tensor::close);
        zEps.clear();
    }

    private ParamGroup groupOf(String name) {
        for (ParamGroup g : model.stages()) if (g.contains(name)) return g;
        throw new IllegalStateException("no stage holds " + name);
    }

    /**
     * The update of {@link MezoReference} in place: θ ← θ − (lr·g)·z [− (lr·wd)·θ], lr·g one float64 product rounded
     * once to float32. Consumes {@code z} (it is overwritten with the step; the same float operations as
     * out-of-place, so the same bits). The weight-decay temporary is freed before this returns.
     */
    static void update(Tensor p, Tensor z, String name, PendingUpdate upd, ZoHyperparameters hp) {
        try (Scope s = Scope.open()) {
            Tensor d = z.scaleInPlace(upd.lr() * upd.grad());
            if (hp.weightDecay() > 0 && ZoHyperparameters.decays(name)) d.addInPlace(p.mul(upd.lr() * hp.weightDecay()));
            p.addInPlace(d, -1.0);
        }
    }
}
