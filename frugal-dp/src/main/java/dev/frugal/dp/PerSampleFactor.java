package dev.frugal.dp;

import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * One use's contribution to a parameter's per-sample gradients, kept in factored form: what a layer's backward hook
 * knows (its saved input and its output gradient) without forming the {@code (B, …)} per-sample gradient unless that
 * is cheaper. A parameter used several times in one forward (a tied embedding and LM head) sums the contributions of
 * its uses; its per-sample norm then needs the cross terms {@link #inner}.
 */
sealed interface PerSampleFactor {
    /** {@code ε} of {@link Outer#explicitSumIsCheaper}: extra cost of B per-sample GEMMs over one GEMM. */
    double EXPLICIT_GEMM_OVERHEAD = 0.25;
    /** {@code κ} of {@link Outer#explicitSumIsCheaper}: multiply-add equivalents per per-sample gradient element. */
    double EXPLICIT_ELEMENT_COST = 16;
    /** Per-sample gradient elements formed at once by {@link Outer#clipExplicitly} (16 MiB of fp32). */
    long EXPLICIT_CHUNK_ELEMENTS = 1L << 22;

    /** Squared per-sample norms {@code (B)} and the clipped sum of one parameter. */
    record NormsAndSum(Tensor normSquared, Tensor sum) {}

    /** {@code min(1, C / (‖g_i‖ + 1e-6))} per sample (Opacus's and the fixtures' convention). */
    static Tensor clipFactor(double bound, Tensor normSquared) {
        return normSquared.sqrt().add(1e-6).reciprocal().mul(bound).clampMax(1.0);
    }

    /** Batch size B. */
    long batch();

    /** The per-sample gradients {@code (B, P, Q)} (or {@code (B, …)} for {@link Explicit}). */
    Tensor explicit();

    /** {@code Σ_i c_i · g_i}, shaped {@code (P, Q)} (or the parameter's shape for {@link Explicit}). */
    Tensor clippedSum(Tensor c);

    /** Keeps the captured tensors past the hook's scope. */
    void keep();

    /** Frees the captured tensors. */
    void close();

    /**
     * A linear layer's weight: per-sample gradient {@code g_i = Σ_t u_{i,t} v_{i,t}ᵀ} of shape {@code (P, Q)}, with
     * {@code u (B, T, P)} and {@code v (B, T, Q)} (for {@code nn.Linear}, u = output gradient, v = input; for GPT-2's
     * Conv1D the other way round, matching its {@code (in, out)} weight).
     */
    record Outer(Tensor u, Tensor v) implements PerSampleFactor {
        public long batch() { return u.size(0); }

        public Tensor explicit() { return Tensors.bmmSplit(u.transpose(1, 2), v); } // (B, P, T) @ (B, T, Q) = (B, P, Q)

        /** One GEMM over all B·T rows; the clip factors scale the narrower side ({@code c_i} per sample row). */
        public Tensor clippedSum(Tensor c) {
            long b = u.size(0), t = u.size(1), p = u.size(2), q = v.size(2);
            Tensor cv = c.view(b, 1, 1);
            Tensor uc = p <= q ? u.mul(cv) : u, vc = p <= q ? v : v.mul(cv);
            return Tensors.mmSplitK(uc.reshape(b * t, p).t(), vc.reshape(b * t, q)); // (P, B·T) @ (B·T, Q) = (P, Q)
        }

        /**
         * Whether the ghost-norm identity is cheaper than the explicit per-sample gradient <em>for the norms
         * alone</em> (two-pass modes): the two Gram matrices cost {@code T²(P+Q)} multiply-adds per sample, the
         * explicit gradient {@code T·P·Q}.
         */
        boolean ghostIsCheaper() {
            long t = u.size(1), p = u.size(2), q = v.size(2);
            return (double) t * (p + q) < (double) p * q;
        }

        /**
         * Whether, for norms <em>and</em> the clipped sum in one pass, forming the per-sample gradients explicitly
         * ({@link #clipExplicitly}) costs less than the ghost norms followed by the clipped-sum GEMM. Per sample, the
         * ghost route costs {@code T²(P+Q) + T·P·Q} multiply-adds; the explicit route {@code T·P·Q·(1 + ε) + κ·P·Q}:
         * the same GEMM work split per sample ({@code ε}: per-sample GEMMs ran up to 25% slower than one GEMM over
         * all B·T rows) plus about κ = 16 multiply-add equivalents per gradient element for writing it, taking its
         * norm and adding it to the sum (memory-bound passes; both constants measured on the 2-core AVX2 VM,
         * single-threaded). It is never cheaper for T = 1, where ghost norms are free.
         */
        boolean explicitSumIsCheaper() {
            double t = u.size(1), p = u.size(2), q = v.size(2);
            return t * t * (p + q) > p * q * (EXPLICIT_GEMM_OVERHEAD * t + EXPLICIT_ELEMENT_COST);
        }

        /**
         * Per-layer clipping straight from explicit per-sample gradients, formed {@code chunk} samples at a time so
         * their memory stays bounded: {@code g_i = u_iᵀ v_i (P, Q)}, {@code n_i = ‖g_i‖²}, and
         * {@code Σ_i c_i g_i} with {@code c_i = min(1, C/(‖g_i‖ + 1e-6))} as one GEMV over the chunk. No GEMM
         * beyond the per-sample ones (whose total equals the ordinary weight gradient's), and no long-K GEMM.
         *
         * @return the squared norms {@code (B)} and the clipped sum {@code (P, Q)}
         */
        NormsAndSum clipExplicitly(double bound) { return clipExplicitly(bound, EXPLICIT_CHUNK_ELEMENTS); }

        /** {@link #clipExplicitly(double)} forming at most {@code chunkElements} gradient elements at once (≥ 1 sample). */
        NormsAndSum clipExplicitly(double bound, long chunkElements) {
            long b = u.size(0), p = u.size(2), q = v.size(2);
            long chunk = Math.max(1, Math.min(b, chunkElements / (p * q)));
            java.util.List<Tensor> norms = new java.util.ArrayList<>();
            Tensor sum = null;
            for (long start = 0; start < b; start += chunk) {
                long len = Math.min(chunk, b - start);
                Tensor g = Tensors.bmmSplit(u.narrow(0, start, len).transpose(1, 2), v.narrow(0, start, len)) // (len, P, Q)
                        .reshape(len, p * q);
                Tensor n2 = g.norm(new long[] {1}, false).square();                                  // (len)
                Tensor part = clipFactor(bound, n2).view(1, len).matmul(g);                          // (1, P·Q)
                sum = sum == null ? part : sum.addInPlace(part);
                norms.add(n2);
            }
            return new NormsAndSum(norms.size() == 1 ? norms.get(0) : Tensors.cat(norms, 0), sum.view(p, q));
        }

        public void keep() { u.keep(); v.keep(); }

        public void close() { u.close(); v.close(); }
    }

    /**
     * An embedding table {@code (rows, Q)}: per-sample gradient {@code g_i = Σ_t e_{ids_{i,t}} v_{i,t}ᵀ} where
     * {@code e_k} is the k-th basis vector, {@code ids (B, T)} and {@code v (B, T, Q)} the output gradient.
     */
    record Rows(Tensor ids, long rows, Tensor v) implements PerSampleFactor {
        public long batch() { return ids.size(0); }

        public Tensor explicit() {
            long b = ids.size(0), t = ids.size(1), q = v.size(2);
            long[] starts = new long[(int) b];
            for (int i = 0; i < b; i++) starts[i] = i * rows;
            Tensor offset = Tensors.fromLongs(starts, b, 1).to(ids.device());              // (B, 1) int64
            Tensor flat = ids.add(offset).reshape(b * t);                                  // (B·T) into (B·rows)
            return Tensors.zeros(v.dtype(), v.device(), b * rows, q).indexAddInPlace(0, flat, v.reshape(b * t, q))
                    .view(b, rows, q);
        }

        public Tensor clippedSum(Tensor c) {
            return addClippedSumTo(Tensors.zeros(v.dtype(), v.device(), rows, v.size(2)), c);
        }

        /** {@code acc (rows, Q) += Σ_i c_i g_i}, in place; returns {@code acc}. */
        Tensor addClippedSumTo(Tensor acc, Tensor c) {
            long b = ids.size(0), t = ids.size(1), q = v.size(2);
            Tensor vc = v.mul(c.view(b, 1, 1)).reshape(b * t, q);
            return acc.indexAddInPlace(0, ids.reshape(b * t), vc);
        }

        public void keep() { ids.keep(); v.keep(); }

        public void close() { ids.close(); v.close(); }
    }

    /** Per-sample gradients already formed, {@code (B, …)}: biases and norm weights, whose gradients are small. */
    record Explicit(Tensor perSample) implements PerSampleFactor {
        public long batch() { return perSample.size(0); }

        public Tensor explicit() { return perSample; }

        /** {@code cᵀ · G} as one GEMV over the flattened per-sample gradients (no {@code (B, …)} temporary). */
        public Tensor clippedSum(Tensor c) {
            long[] shape = perSample.shape();
            long b = shape[0];
            return c.view(1, b).matmul(perSample.reshape(b, -1)).view(java.util.Arrays.copyOfRange(shape, 1, shape.length));
        }

        public void keep() { perSample.keep(); }

        public void close() { perSample.close(); }
    }

    /** {@code ‖g_i‖²} per sample {@code (B)}; {@code ghostOnly} forbids the explicit route where a choice exists. */
    static Tensor normSquared(PerSampleFactor f, boolean ghostOnly) {
        return switch (f) {
            case Outer o when ghostOnly || o.ghostIsCheaper() -> inner(o, o);
            case Outer o -> flatSquares(o.explicit());
            case Rows r -> inner(r, r);
            case Explicit e -> flatSquares(e.perSample());
        };
    }

    /**
     * {@code ⟨g_i, h_i⟩} per sample {@code (B)} for two factors of the same parameter. Ghost-norm identity (Goodfellow
     * 2015; Li et al. 2022, eq. 3): {@code ⟨Σ_t u_t v_tᵀ, Σ_s u'_s v'_sᵀ⟩ = Σ_{t,s} (u_t·u'_s)(v_t·v'_s)}; with a
     * one-hot side {@code u_t·e_k = u_t[k]} (a gather) and {@code e_k·e_l = [k = l]}.
     */
    static Tensor inner(PerSampleFactor a, PerSampleFactor b) {
        return switch (a) {
            case Explicit ea -> dot(ea.perSample(), b.explicit());
            case Outer oa -> switch (b) {
                case Outer ob -> gramProduct(Tensors.bmmSplit(oa.u(), ob.u().transpose(1, 2)), oa.v(), ob.v());
                case Rows rb -> gramProduct(gatherRows(oa.u(), rb.ids()), oa.v(), rb.v());
                case Explicit eb -> dot(oa.explicit(), eb.perSample());
            };
            case Rows ra -> switch (b) {
                case Outer ob -> inner(ob, ra);
                case Rows rb -> gramProduct(ra.ids().unsqueeze(2).eq(rb.ids().unsqueeze(1)).to(ra.v().dtype()),
                        ra.v(), rb.v());
                case Explicit eb -> dot(ra.explicit(), eb.perSample());
            };
        };
    }

    /** {@code Σ_{t,s} left[b,t,s] · (v_t · v'_s)} → (B). {@code left (B, T, S)}, {@code v (B, T, Q)}, {@code v' (B, S, Q)}. */
    private static Tensor gramProduct(Tensor left, Tensor v, Tensor v2) {
        return left.mul(Tensors.bmmSplit(v, v2.transpose(1, 2))).sum(new long[] {1, 2}, false);
    }

    /** {@code out[b,t,s] = u[b,t,ids[b,s]]}: {@code u (B, T, P)}, {@code ids (B, S)} → (B, T, S). */
    private static Tensor gatherRows(Tensor u, Tensor ids) {
        long b = u.size(0), t = u.size(1), s = ids.size(1);
        return u.gather(2, ids.view(b, 1, s).expand(b, t, s));
    }

    private static Tensor dot(Tensor a, Tensor b) {
        long n = a.size(0);
        return a.reshape(n, -1).mul(b.reshape(n, -1)).sum(1, false);
    }

    /** {@code ‖g_i‖²} of per-sample gradients {@code (B, …)}, one reading pass (no squared temporary). */
    static Tensor flatSquares(Tensor perSample) {
        return perSample.reshape(perSample.size(0), -1).norm(new long[] {1}, false).square();
    }
}
