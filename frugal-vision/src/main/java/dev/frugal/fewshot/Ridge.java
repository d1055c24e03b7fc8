package dev.frugal.fewshot;

import dev.frugal.tensor.Linalg;
import dev.frugal.tensor.Tensor;

/**
 * Ridge-regression reconstruction (FRN, Wertheimer et al. 2021, Eq. 3–5; IDP, arXiv 2511.14279, Eq. 1).
 *
 * <p>Reconstructing the rows of {@code T (n, d)} from a basis {@code U (m, d)} by ridge regression gives
 * <pre>  P = T Uᵀ (U Uᵀ + λ I_m)⁻¹ U                       (IDP Eq. 1; FRN Eq. 4)</pre>
 * which by the push-through identity equals {@code T (UᵀU + λ I_d)⁻¹ UᵀU}: the inverse is taken of whichever of
 * m × m and d × d is smaller. λ = m / d as in the authors' code ({@code lam = base.size(0) / base.size(1)}; FRN's
 * {@code (kr/d)·e^α} with α at its initial 0).
 */
public final class Ridge {
    private Ridge() {}

    /** λ for a basis of {@code m} rows in dimension {@code d}. */
    public static double lambda(long m, long d) { return (double) m / d; }

    /**
     * Reference: {@code P = T Uᵀ (U Uᵀ + λI)⁻¹ U} literally. T (n, d), U (m, d) → (n, d).
     */
    public static Tensor reconstructReference(Tensor t, Tensor u, double lambda) {
        Tensor ut = u.t();                                                                   // (d, m)
        Tensor gram = u.matmul(ut).add(Linalg.eye(u.size(0), u.device()).mul(lambda));       // (m, m)
        return t.matmul(ut).matmul(Linalg.inv(gram)).matmul(u);                              // (n, d)
    }

    /**
     * The projector {@code M = Uᵀ (U Uᵀ + λI)⁻¹ U} (d, d), so that {@code P = T M}; computed through the smaller
     * inverse. U may be batched: (…, m, d) → (…, d, d).
     */
    public static Tensor projector(Tensor u, double lambda) {
        int r = u.dim();
        long m = u.size(r - 2), d = u.size(r - 1);
        Tensor ut = u.transpose(r - 2, r - 1);                                               // (…, d, m)
        if (m <= d) {
            Tensor gram = u.matmul(ut).add(Linalg.eye(m, u.device()).mul(lambda));           // (…, m, m)
            return ut.matmul(Linalg.inv(gram)).matmul(u);                                    // (…, d, d)
        }
        Tensor utu = ut.matmul(u);                                                           // (…, d, d)
        return Linalg.inv(utu.add(Linalg.eye(d, u.device()).mul(lambda))).matmul(utu);       // (…, d, d)
    }

    /**
     * FRN class scores: each query's local features {@code q (B, r, d)} are reconstructed from each class's support
     * features {@code s (N, s, d)} (all K·r local features of its K shots); the score of class c is minus the mean
     * squared reconstruction error over the r positions (FRN Eq. 6), then min–max scaled per row to [0, 1] as the
     * authors' classifier does, times {@code scale}. Returns (B, N).
     */
    public static Tensor frnLogits(Tensor q, Tensor s, double scale) {
        long b = q.size(0), r = q.size(1), d = q.size(2), n = s.size(0);
        Tensor m = projector(s, lambda(s.size(1), d));                                      // (N, d, d)
        Tensor flat = q.reshape(b * r, d);                                                   // (B·r, d)
        Tensor rec = flat.unsqueeze(0).matmul(m);                                            // (N, B·r, d)
        Tensor dist = rec.sub(flat.unsqueeze(0)).pow(2).sum(2, false)                        // (N, B·r)
                .reshape(n, b, r).mean(2, false).t();                                        // (B, N)
        Tensor neg = dist.neg();
        Tensor max = neg.amax(1, true), min = neg.neg().amax(1, true).neg();                 // (B, 1)
        return neg.sub(min).div(max.sub(min).add(1e-12)).mul(scale);
    }
}
