package dev.frugal.influence.sam;

import dev.frugal.influence.model.FlatModel;
import dev.frugal.tensor.Autograd;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * SAM's update direction G(θ) for a {@link FlatModel}, vectorised over examples (the fast path; {@link Sam} is the
 * per-micro-batch reference it is tested against). Every example j is evaluated at its own weights, row j of a
 * {@code (N, P)} matrix, so per-example gradients come out of one backward pass.
 *
 * <p>With {@code createGraph} the result stays a differentiable function of θ — including the perturbation
 * ε(θ) — so that {@code ∂(uᵀG)/∂θ = Jᵀu} is one more backward pass (double backward). That Jacobian J = ∂G/∂θ is
 * what the SAM Hessian influence inverts (docs/influence.md, eq. (3)).
 */
public final class SamGradient {
    private SamGradient() {}

    /** What one evaluation produced (tensors in the caller's scope). */
    public record Result(Tensor update, Tensor perExampleAtPerturbed, Tensor perturbation, Tensor losses) {}

    /**
     * Per-example gradients {@code (N, P)} of ℓ_j at the shared weights {@code theta (P)}. With {@code createGraph}
     * they are differentiable in {@code theta} (which must then require grad).
     */
    public static Tensor perExample(FlatModel model, Tensor theta, Tensor x, Tensor y, boolean createGraph) {
        long n = x.size(0), p = theta.size(0);
        Tensor rows = createGraph ? theta.unsqueeze(0).expand(n, p)
                : theta.detach().unsqueeze(0).expand(n, p).contiguous().requiresGrad(true); // (N, P)
        Tensor losses = FlatModel.crossEntropy(model.logitsPerRow(rows, x), y);            // (N)
        return Autograd.grad(losses.sum(), rows, createGraph);                             // (N, P)
    }

    /**
     * The perturbations {@code (N, P)}: row j is ε of example j's micro-batch, ε_k = ρ T² g_k / ‖T g_k‖ with g_k
     * the mean of the micro-batch's per-example gradients {@code grads (N, P)}.
     */
    public static Tensor perturbation(Tensor grads, Tensor theta, SamConfig sam) {
        long n = grads.size(0), p = grads.size(1);
        int m = sam.microBatch() == 0 ? (int) n : sam.microBatch();
        int k = sam.microBatches((int) n);
        Tensor gk;                                                                   // (K, P)
        if (m == 1) {
            gk = grads;
        } else {
            long[] seg = new long[(int) n];
            for (int j = 0; j < n; j++) seg[j] = j / m;
            gk = Tensors.zeros(grads.dtype(), grads.device(), k, p)
                    .indexAddInPlace(0, Tensors.fromLongs(seg, n), grads); // sums; the norm makes the scale irrelevant
        }
        Tensor t = sam.adaptive() ? theta.abs().add(sam.adaptiveEta()).unsqueeze(0) : null; // (1, P)
        Tensor u = t == null ? gk : gk.mul(t);                                               // T g_k
        Tensor norm = u.norm(new long[] {1}, true).add(1e-12);                              // (K, 1)
        Tensor eps = (t == null ? u : u.mul(t)).div(norm).mul(sam.rho());                   // ρ T² g_k / ‖T g_k‖
        if (m == 1) return eps;
        return eps.repeatInterleave(m, 0).narrow(0, 0, n);                                   // (N, P)
    }

    /**
     * G(θ) over the examples {@code x (N, F)}, {@code y (N)}: {@code (1/N) Σ_j ∇ℓ_j(θ + ε_{k(j)}) + λθ}.
     *
     * @param weightDecay λ, the coupled L2 term added to the update (pass 0 when the base optimiser applies it)
     * @param createGraph keep G differentiable in θ (θ must require grad), ε(θ) included
     */
    public static Result evaluate(FlatModel model, Tensor theta, Tensor x, Tensor y, SamConfig sam, double weightDecay,
                                  boolean createGraph) {
        long n = x.size(0), p = theta.size(0);
        Tensor base = createGraph ? theta : theta.detach();
        Tensor eps = null;
        Tensor rows;                                                                   // (N, P): θ + ε_{k(j)}
        if (sam.rho() == 0) {
            rows = base.unsqueeze(0).expand(n, p);
        } else {
            Tensor g = perExample(model, theta, x, y, createGraph);                    // (N, P)
            eps = perturbation(g, base, sam);
            rows = base.unsqueeze(0).expand(n, p).add(createGraph ? eps : eps.detach());
        }
        if (!createGraph) rows = rows.contiguous().requiresGrad(true);
        Tensor losses = FlatModel.crossEntropy(model.logitsPerRow(rows, x), y);         // (N)
        Tensor atPerturbed = Autograd.grad(losses.sum(), rows, createGraph);           // (N, P) ∇ℓ_j(θ + ε_j)
        Tensor update = atPerturbed.mean(0, false);                                    // (P)
        if (weightDecay != 0) update = update.add(base, weightDecay);
        return new Result(update, atPerturbed, eps, createGraph ? losses : losses.detach());
    }
}
