package dev.frugal.interp;

import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The forward pass of an {@link InterpModel} decomposed along ACDC's graph, run for K circuit configurations at once
 * (stacked along the batch: N = K·B rows). In configuration k, a receiver r whose incoming edges R_k(r) are removed
 * reads
 *
 * <pre>  input_r = resid + Σ_{s ∈ R_k(r)} (corrupted_s − current_s)</pre>
 *
 * where {@code resid} is the residual stream of that configuration's own run and {@code current_s} the sender's
 * output in it: every receiver sees each sender either as it is now or as it was on the corrupted input (or zero),
 * exactly as ACDC's receiver hooks assemble it. The corrections of all receivers of a layer come from one batched
 * matrix product {@code mask (K, R, S) @ (corrupted − current) (K, S, B·T·C)}.
 *
 * <p>Under {@link Precision#INT8} / {@link Precision#BF16} (PAHQ) every component whose input is patched in this
 * batch runs in float32 from float32 weights, and all others from their low-precision copies.
 */
public final class PatchedForward implements AutoCloseable {
    private final InterpModel model;
    private final InterpConfig cfg;
    private final CircuitGraph graph;
    private final Precision precision;
    private final List<Layer> layers = new ArrayList<>();
    private final Projection unembedFp32;
    private final Projection unembedLow;

    /** Per-block weights, split per head for the patched path. */
    private record Layer(Tensor wq, Tensor wk, Tensor wv, Tensor bq, Tensor bk, Tensor bv, Tensor wo, Tensor bo,
                         Projection qkvFp32, Projection qkvLow, Projection oFp32, Projection oLow, Projection fcFp32, Projection fcLow,
                         Projection projFp32, Projection projLow) {}

    public PatchedForward(InterpModel model, Precision precision) {
        this.model = model;
        this.cfg = model.config();
        this.graph = new CircuitGraph(cfg);
        this.precision = precision;
        long c = cfg.dModel();
        int h = cfg.numHeads(), d = cfg.headDim();
        for (int l = 0; l < cfg.numLayers(); l++) {
            String p = InterpModel.P + "h." + l + ".";
            Tensor attnW = model.p(p + "attn.c_attn.weight"); // (C, 3C)
            Tensor attnB = model.p(p + "attn.c_attn.bias"); // (3C)
            Tensor[] w = new Tensor[3], b = new Tensor[3];
            for (int i = 0; i < 3; i++) {
                w[i] = attnW.narrow(1, i * c, c).reshape(c, h, d).permute(1, 0, 2).contiguous().keep(); // (H, C, D)
                b[i] = attnB.narrow(0, i * c, c).reshape(h, 1, d).contiguous().keep(); // (H, 1, D)
            }
            Tensor projW = model.p(p + "attn.c_proj.weight"); // (C_in = H·D, C)
            Tensor wo = projW.reshape(h, d, c).contiguous().keep(); // (H, D, C)
            Tensor bo = model.p(p + "attn.c_proj.bias").keep();
            Projection fcF = null, fcL = null, prF = null, prL = null;
            if (cfg.mlp()) {
                Tensor fw = model.p(p + "mlp.c_fc.weight").t(), fb = model.p(p + "mlp.c_fc.bias");
                Tensor pw = model.p(p + "mlp.c_proj.weight").t(), pb = model.p(p + "mlp.c_proj.bias");
                fcF = new Projection(fw, fb, Precision.FP32);
                prF = new Projection(pw, pb, Precision.FP32);
                fcL = precision == Precision.FP32 ? fcF : new Projection(fw, fb, precision);
                prL = precision == Precision.FP32 ? prF : new Projection(pw, pb, precision);
            }
            Projection qkvF = new Projection(attnW.t(), attnB, Precision.FP32);
            layers.add(new Layer(w[0], w[1], w[2], b[0], b[1], b[2], wo, bo, qkvF,
                    precision == Precision.FP32 ? qkvF : new Projection(attnW.t(), attnB, precision),
                    new Projection(projW.t(), model.p(p + "attn.c_proj.bias"), Precision.FP32),
                    precision == Precision.FP32 ? null : new Projection(projW.t(), model.p(p + "attn.c_proj.bias"), precision),
                    fcF, fcL, prF, prL));
        }
        Tensor wte = model.unembedding(); // (V, C)
        unembedFp32 = new Projection(wte, null, Precision.FP32);
        unembedLow = precision == Precision.FP32 ? unembedFp32 : new Projection(wte, null, precision);
    }

    public CircuitGraph graph() { return graph; }

    public InterpModel model() { return model; }

    public Precision precision() { return precision; }

    /** The clean (unpatched, float32) run of {@code ids (B, T)} with every activation kept. */
    public ActivationCache cache(Tensor ids) {
        return (ActivationCache) forward(ids, List.of(Set.of()), 0, null, null, null, null, true);
    }

    /**
     * Logits {@code (K·B, T, V)} of K configurations, each a set of removed edges; rows {@code k·B .. k·B+B-1} belong
     * to configuration k.
     *
     * @param ids        the clean input {@code (B, T)}
     * @param startLayer the first block to compute; blocks before it are taken from {@code clean}, which is exact
     *                   when no removed edge enters a receiver before it (0: recompute everything)
     * @param clean      the clean run's cache
     * @param corrupted  the corrupted run's cache, or null for zero ablation
     */
    public Tensor logits(Tensor ids, List<Set<Edge>> configs, int startLayer, ActivationCache clean,
                         ActivationCache corrupted) {
        return logits(ids, configs, startLayer, null, clean, corrupted);
    }

    /**
     * As {@link #logits(Tensor, List, int, ActivationCache, ActivationCache)}, where the configurations differ only in
     * edges into one receiver, {@code varying}, of block {@code startLayer} (or null: no such promise). Then everything
     * of that block except the receiver's own component is the same in every configuration: it is computed once on
     * B rows, and only the investigated head (or MLP) and the blocks after it run on all K·B rows. Exact up to float
     * rounding: the same sums, grouped differently.
     */
    public Tensor logits(Tensor ids, List<Set<Edge>> configs, int startLayer, Node varying, ActivationCache clean,
                         ActivationCache corrupted) {
        for (Set<Edge> cfgEdges : configs)
            for (Edge e : cfgEdges) if (e.receiver().layer() < startLayer) throw new IllegalArgumentException("edge " + e
                    + " enters block " + e.receiver().layer() + ", before the start block " + startLayer);
        Set<Edge> common = null;
        if (varying != null && varying.layer() == startLayer && startLayer < cfg.numLayers()) {
            common = new HashSet<>(configs.get(0));
            for (Set<Edge> x : configs) common.retainAll(x);
            for (Set<Edge> x : configs)
                for (Edge e : x)
                    if (!common.contains(e) && !e.receiver().equals(varying)) throw new IllegalArgumentException("edge " + e
                            + " is not in every configuration but does not enter the varying receiver " + varying);
        }
        return (Tensor) forward(ids, configs, startLayer, varying, common, clean, corrupted, false);
    }

    private Object forward(Tensor ids, List<Set<Edge>> configs, int startLayer, Node varying, Set<Edge> common,
                           ActivationCache clean, ActivationCache corrupted, boolean record) {
        int k = configs.size();
        long b = ids.size(0), t = ids.size(1), c = cfg.dModel(), n = k * b;
        int nh = cfg.numHeads();
        Corrections corr = new Corrections(configs, clean, corrupted, k, b, t, c);
        boolean low = precision != Precision.FP32 && !record; // the cache is always float32
        Tensor resid; // (N, T, C)
        ActivationCache cache = null;
        if (startLayer == 0) {
            Tensor pos = Tensors.arange(t, ids.device()).view(1, t).expand(b, t);
            Tensor emb = NN.embedding(model.p(InterpModel.P + "wte.weight"), ids)
                    .add(NN.embedding(model.p(InterpModel.P + "wpe.weight"), pos)); // (B, T, C)
            if (record) cache = new ActivationCache(emb);
            resid = repeat(emb, k);
        } else {
            resid = repeat(clean.residPre(startLayer), k);
        }
        for (int l = startLayer; l < cfg.numLayers(); l++) {
            String p = InterpModel.P + "h." + l + ".";
            Tensor residPre = resid;
            Tensor headOut = null; // (B, H, T, C), only when recording a cache
            if (l == startLayer && common != null) {
                // the block's shared part once on B rows, under the corrections every configuration has
                boolean head = varying.kind() == Node.Kind.Q || varying.kind() == Node.Kind.K || varying.kind() == Node.Kind.V;
                int hv = head ? varying.head() : -1;
                Attention a = sharedAttention(l, hv, common, clean, corrupted, low);
                resid = repeat(a.resid(), k);
                for (int h = 0; h < nh; h++) if (a.outs()[h] != null) corr.shared(Node.head(l, h), a.outs()[h]);
                if (head) {
                    Tensor o = investigatedHead(l, hv, repeat(clean.residPre(l), k), corr); // (N, T, C)
                    resid = resid.add(o);
                    corr.current(Node.head(l, hv), o);
                }
            } else {
                Attention a = attention(l, resid, corr, corr::needs, n, low, record, -1);
                resid = a.resid();
                headOut = a.headOut();
                for (int h = 0; h < nh; h++) if (a.outs()[h] != null) corr.current(Node.head(l, h), a.outs()[h]);
            }
            // ---- MLP
            Tensor mlpOut = null;
            if (cfg.mlp()) {
                Layer w = layers.get(l);
                Tensor dm = corr.deltas(List.of(Node.mlp(l))).get(Node.mlp(l));
                Tensor x = norm(p + "ln_2", dm == null ? resid : resid.add(dm));
                boolean fp32 = dm != null || !low;
                mlpOut = (fp32 ? w.projFp32() : w.projLow()).apply(NN.geluTanh((fp32 ? w.fcFp32() : w.fcLow()).apply(x)));
                corr.current(Node.mlp(l), mlpOut);
                resid = resid.add(mlpOut);
            }
            if (record) cache.addLayer(residPre, headOut, mlpOut);
        }
        Node out = Node.output();
        Tensor dOut = corr.deltas(List.of(out)).get(out);
        Tensor x = norm(InterpModel.P + "ln_f", dOut == null ? resid : resid.add(dOut));
        Tensor logits = (dOut != null || !low ? unembedFp32 : unembedLow).apply(x); // (N, T, V)
        if (record) {
            cache.finish(resid, logits);
            return cache;
        }
        return logits;
    }

    /**
     * One block's attention: the residual after it, each head's output where {@code needs} asks for it, and (when
     * recording) every head's output.
     *
     * @param excluded a head left out entirely (its output neither added nor returned), or -1
     */
    private record Attention(Tensor resid, Tensor headOut, Tensor[] outs) {}

    private Attention attention(int l, Tensor resid, Corrections corr, java.util.function.Predicate<Node> needs, long n,
                                boolean low, boolean record, int excluded) {
        Layer w = layers.get(l);
        String p = InterpModel.P + "h." + l + ".";
        long t = resid.size(1), c = cfg.dModel();
        int nh = cfg.numHeads(), hd = cfg.headDim();
        // ---- q/k/v inputs per head
        Tensor[][] delta = new Tensor[3][nh];
        List<Node> rs = new ArrayList<>();
        for (int h = 0; h < nh; h++)
            for (Node.Kind kind : new Node.Kind[] {Node.Kind.Q, Node.Kind.K, Node.Kind.V}) rs.add(Node.input(kind, l, h));
        Map<Node, Tensor> d = corr.deltas(rs);
        boolean[] patched = new boolean[nh];
        boolean anyPatched = false;
        for (int h = 0; h < nh; h++) {
            if (h == excluded) continue;
            delta[0][h] = d.get(Node.input(Node.Kind.Q, l, h));
            delta[1][h] = d.get(Node.input(Node.Kind.K, l, h));
            delta[2][h] = d.get(Node.input(Node.Kind.V, l, h));
            patched[h] = delta[0][h] != null || delta[1][h] != null || delta[2][h] != null;
            anyPatched |= patched[h];
        }
        Tensor shared = norm(p + "ln_1", resid);
        Tensor qkv = (low ? w.qkvLow() : w.qkvFp32()).apply(shared); // (N, T, 3C)
        Tensor[] wqkv = {w.wq(), w.wk(), w.wv()}, bqkv = {w.bq(), w.bk(), w.bv()};
        Tensor[] qkvHeads = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            Tensor all = qkv.narrow(2, i * c, c).view(n, t, nh, hd).transpose(1, 2); // (N, H, T, D)
            if (!anyPatched) {
                qkvHeads[i] = all;
                continue;
            }
            List<Tensor> per = new ArrayList<>(nh);
            for (int h = 0; h < nh; h++) {
                if (delta[i][h] != null) {
                    Tensor x = norm(p + "ln_1", resid.add(delta[i][h])); // (N, T, C)
                    per.add(x.matmul(wqkv[i].select(0, h)).add(bqkv[i].select(0, h))); // (N, T, D)
                } else if (patched[h] && low) {
                    per.add(shared.matmul(wqkv[i].select(0, h)).add(bqkv[i].select(0, h))); // investigated: fp32
                } else {
                    per.add(all.select(1, h));
                }
            }
            qkvHeads[i] = Tensors.stack(per, 1); // (N, H, T, D)
        }
        Tensor z = NN.attention(qkvHeads[0], qkvHeads[1], qkvHeads[2], null, true, 1.0 / Math.sqrt(hd), false); // (N, H, T, D)
        Tensor headOut = null;
        Tensor[] outs = new Tensor[nh]; // (N, T, C) per head, where a sender value is needed
        boolean[] dropped = patched.clone(); // heads left out of the fused low-precision output projection
        if (excluded >= 0) dropped[excluded] = true;
        if (!low) { // one fused output projection (includes b_O); per-head outputs only where needed
            Tensor zo = excluded < 0 ? z : z.mul(Tensors.fromFloats(keepMask(nh, excluded), 1, nh, 1, 1));
            resid = resid.add(w.oFp32().apply(zo.transpose(1, 2).reshape(n, t, c)));
            if (record) {
                headOut = z.matmul(w.wo()); // (B, H, T, C)
                for (int h = 0; h < nh; h++) outs[h] = headOut.select(1, h);
            } else {
                for (int h = 0; h < nh; h++)
                    if (h != excluded && needs.test(Node.head(l, h))) outs[h] = z.select(1, h).matmul(w.wo().select(0, h));
            }
        } else {
            Tensor zl = anyPatched || excluded >= 0 // the investigated heads leave the low-precision product (float32)
                    ? z.mul(Tensors.fromFloats(maskOf(dropped), 1, nh, 1, 1)) : z;
            Tensor attn = w.oLow().apply(zl.transpose(1, 2).reshape(n, t, c)); // (N, T, C), includes b_O
            for (int h = 0; h < nh; h++) {
                if (h == excluded) continue;
                if (patched[h] || needs.test(Node.head(l, h))) outs[h] = z.select(1, h).matmul(w.wo().select(0, h));
                if (patched[h]) attn = attn.add(outs[h]);
            }
            resid = resid.add(attn);
        }
        return new Attention(resid, headOut, outs);
    }

    /** {@code corrupted − value} of one sender (or {@code −value}), kept while the value tensor stays the same. */
    private record Diff(Tensor value, ActivationCache corrupted, Tensor diff) {}

    private final Map<Node, Diff> diffs = new HashMap<>();

    private Tensor diff(Node s, Tensor value, ActivationCache corrupted) {
        Diff d = diffs.get(s);
        if (d != null && d.value() == value && d.corrupted() == corrupted) return d.diff();
        if (d != null) d.diff().close();
        Tensor corr = corrupted == null ? null : corrupted.sender(s);
        Tensor x = (corr == null ? value.neg() : corr.sub(value)).keep();
        diffs.put(s, new Diff(value, corrupted, x));
        return x;
    }

    /** What the shared part of a receiver's block depends on: the edges into the block's other heads. */
    private record SharedKey(int layer, int excluded, Set<Edge> edges, ActivationCache clean, ActivationCache corrupted,
                             boolean low) {}

    private SharedKey sharedKey;
    private Attention sharedValue; // (B, T, C) tensors kept past the forward that computed them

    /**
     * Block {@code l}'s attention on B rows without head {@code hv} (-1: with every head), every head's output
     * included. ACDC tests all edges of one receiver (and the q, k, v receivers of one head) against the same shared
     * part, so the last one is kept and reused while its inputs (edges into the block's other heads, the caches) are
     * unchanged.
     */
    private Attention sharedAttention(int l, int hv, Set<Edge> common, ActivationCache clean, ActivationCache corrupted,
                                      boolean low) {
        Set<Edge> rel = new HashSet<>();
        for (Edge e : common) {
            Node r = e.receiver();
            if (r.layer() == l && r.head() >= 0 && r.head() != hv) rel.add(e);
        }
        SharedKey key = new SharedKey(l, hv, Set.copyOf(rel), clean, corrupted, low);
        if (key.equals(sharedKey)) return sharedValue;
        Tensor resid = clean.residPre(l);
        Corrections corr = new Corrections(List.of(key.edges()), clean, corrupted, 1, resid.size(0), resid.size(1),
                cfg.dModel());
        Attention a = attention(l, resid, corr, x -> true, resid.size(0), low, false, hv);
        Tensor[] outs = a.outs().clone();
        for (int h = 0; h < outs.length; h++) if (outs[h] != null) outs[h] = outs[h].keep();
        releaseShared();
        sharedValue = new Attention(a.resid().keep(), null, outs);
        sharedKey = key;
        return sharedValue;
    }

    private void releaseShared() {
        if (sharedValue == null) return;
        sharedValue.resid().close();
        for (Tensor x : sharedValue.outs()) if (x != null) x.close();
        sharedValue = null;
        sharedKey = null;
    }

    /**
     * Head {@code hv} of block {@code l} on all K·B rows, in float32, each of its q/k/v inputs with every
     * configuration's corrections: its output {@code (N, T, C)} without b_O.
     */
    private Tensor investigatedHead(int l, int hv, Tensor resid, Corrections corr) {
        Layer w = layers.get(l);
        String p = InterpModel.P + "h." + l + ".";
        Node.Kind[] kinds = {Node.Kind.Q, Node.Kind.K, Node.Kind.V};
        Tensor[] wqkv = {w.wq(), w.wk(), w.wv()}, bqkv = {w.bq(), w.bk(), w.bv()};
        List<Node> rs = new ArrayList<>();
        for (Node.Kind kind : kinds) rs.add(Node.input(kind, l, hv));
        Map<Node, Tensor> d = corr.deltas(rs);
        Tensor shared = null;
        Tensor[] qkv = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            Tensor dl = d.get(rs.get(i));
            Tensor x;
            if (dl != null) x = norm(p + "ln_1", resid.add(dl)); // (N, T, C)
            else x = shared == null ? (shared = norm(p + "ln_1", resid)) : shared;
            qkv[i] = x.matmul(wqkv[i].select(0, hv)).add(bqkv[i].select(0, hv)).unsqueeze(1); // (N, 1, T, D)
        }
        Tensor z = NN.attention(qkv[0], qkv[1], qkv[2], null, true, 1.0 / Math.sqrt(cfg.headDim()), false); // (N, 1, T, D)
        return z.select(1, 0).matmul(w.wo().select(0, hv)); // (N, T, C)
    }

    private static float[] keepMask(int heads, int excluded) {
        float[] m = new float[heads];
        java.util.Arrays.fill(m, 1f);
        m[excluded] = 0f;
        return m;
    }

    /** The chosen columns of a row-major {@code rows × cols} matrix. */
    private static float[] columns(float[] m, int rows, int cols, List<Integer> keep) {
        float[] out = new float[rows * keep.size()];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < keep.size(); j++) out[r * keep.size() + j] = m[r * cols + keep.get(j)];
        return out;
    }

    private static float[] maskOf(boolean[] patched) {
        float[] m = new float[patched.length];
        for (int i = 0; i < m.length; i++) m[i] = patched[i] ? 0f : 1f;
        return m;
    }

    /** {@code x (B, T, C)} repeated K times along the batch: (K·B, T, C). */
    static Tensor repeat(Tensor x, int k) {
        if (k == 1) return x;
        long[] s = x.shape();
        return x.unsqueeze(0).expand(k, s[0], s[1], s[2]).reshape(k * s[0], s[1], s[2]);
    }

    private Tensor norm(String n, Tensor x) {
        return cfg.layerNorm() ? NN.layerNorm(x, model.p(n + ".weight"), model.p(n + ".bias"), cfg.layerNormEps()) : x;
    }

    /** The per-receiver corrections Σ (corrupted_s − current_s) of one batched forward. */
    private final class Corrections {
        private final List<Map<Node, Set<Node>>> removed = new ArrayList<>(); // per config: receiver → removed senders
        private final Set<Node> needed = new LinkedHashSet<>();
        private final Map<Node, Tensor> current = new HashMap<>(); // sender → (N, T, C) computed in this run
        private final Map<Node, Tensor> shared = new HashMap<>(); // sender → (B, T, C), the same in every configuration
        private final ActivationCache clean, corrupted;
        private final int k;
        private final long b, t, c;

        Corrections(List<Set<Edge>> configs, ActivationCache clean, ActivationCache corrupted, int k, long b, long t, long c) {
            this.clean = clean;
            this.corrupted = corrupted;
            this.k = k;
            this.b = b;
            this.t = t;
            this.c = c;
            for (Set<Edge> es : configs) {
                Map<Node, Set<Node>> m = new HashMap<>();
                for (Edge e : es) {
                    m.computeIfAbsent(e.receiver(), x -> new LinkedHashSet<>()).add(e.sender());
                    needed.add(e.sender());
                }
                removed.add(m);
            }
        }

        boolean needs(Node sender) { return needed.contains(sender); }

        void current(Node sender, Tensor value) { if (needed.contains(sender)) current.put(sender, value); }

        /** A sender computed in this run whose output {@code (B, T, C)} is the same in every configuration. */
        void shared(Node sender, Tensor value) { if (needed.contains(sender)) shared.put(sender, value); }

        /** receiver → correction (N, T, C), only for receivers with a removed edge in some configuration. */
        Map<Node, Tensor> deltas(List<Node> receivers) {
            List<Node> rs = new ArrayList<>();
            LinkedHashSet<Node> ss = new LinkedHashSet<>();
            for (Node r : receivers) {
                boolean any = false;
                for (Map<Node, Set<Node>> m : removed) {
                    Set<Node> s = m.get(r);
                    if (s != null && !s.isEmpty()) {
                        ss.addAll(s);
                        any = true;
                    }
                }
                if (any) rs.add(r);
            }
            Map<Node, Tensor> out = new HashMap<>();
            if (rs.isEmpty()) return out;
            List<Node> senders = new ArrayList<>(ss);
            float[] mask = new float[k * rs.size() * senders.size()];
            for (int ki = 0; ki < k; ki++)
                for (int ri = 0; ri < rs.size(); ri++) {
                    Set<Node> s = removed.get(ki).get(rs.get(ri));
                    if (s == null) continue;
                    for (int si = 0; si < senders.size(); si++)
                        if (s.contains(senders.get(si))) mask[(ki * rs.size() + ri) * senders.size() + si] = 1f;
                }
            long btc = b * t * c;
            // senders computed before the start block (or the same in every configuration) carry one (corrupted −
            // value) for all configurations: one broadcast product for them, a batched one for the senders that
            // differ between configurations
            List<Integer> pre = new ArrayList<>(), run = new ArrayList<>();
            for (int si = 0; si < senders.size(); si++) (current.containsKey(senders.get(si)) ? run : pre).add(si);
            Tensor all = null; // (R, K, B·T·C): each receiver's K corrections contiguous
            int nr = rs.size();
            if (!pre.isEmpty()) {
                List<Tensor> diffs = new ArrayList<>();
                for (int si : pre) {
                    Node s = senders.get(si);
                    Tensor cl = shared.containsKey(s) ? shared.get(s) : clean.sender(s); // (B, T, C)
                    diffs.add(diff(s, cl, corrupted).reshape(btc));
                }
                float[] m = new float[nr * k * pre.size()]; // rows (r, k)
                for (int ri = 0; ri < nr; ri++)
                    for (int ki = 0; ki < k; ki++)
                        for (int j = 0; j < pre.size(); j++)
                            m[(ri * k + ki) * pre.size() + j] = mask[(ki * nr + ri) * senders.size() + pre.get(j)];
                all = Tensors.fromFloats(m, nr * k, pre.size()).matmul(Tensors.stack(diffs, 0)).view(nr, k, btc); // (R·K, S') @ (S', BTC)
            }
            if (!run.isEmpty()) {
                List<Tensor> diffs = new ArrayList<>();
                for (int si : run) {
                    Node s = senders.get(si);
                    Tensor cv = current.get(s).reshape(k, btc);
                    Tensor corr = corrupted == null ? null : corrupted.sender(s);
                    diffs.add(corr == null ? cv.neg() : corr.reshape(1, btc).sub(cv));
                }
                Tensor m = Tensors.fromFloats(columns(mask, k * nr, senders.size(), run), k, nr, run.size());
                Tensor part = m.matmul(Tensors.stack(diffs, 1)).transpose(0, 1); // (K, R, S'') @ (K, S'', BTC) → (R, K, BTC)
                all = all == null ? part.contiguous() : all.add(part);
            }
            for (int ri = 0; ri < nr; ri++) out.put(rs.get(ri), all.select(0, ri).view(k * b, t, c));
            return out;
        }
    }

    @Override
    public void close() {
        releaseShared();
        for (Diff d : diffs.values()) d.diff().close();
        diffs.clear();
        java.util.IdentityHashMap<Object, Boolean> seen = new java.util.IdentityHashMap<>();
        for (Layer w : layers) {
            for (Tensor x : new Tensor[] {w.wq(), w.wk(), w.wv(), w.bq(), w.bk(), w.bv(), w.wo(), w.bo()}) x.close();
            for (Projection pr : new Projection[] {w.qkvFp32(), w.qkvLow(), w.oFp32(), w.oLow(), w.fcFp32(), w.fcLow(), w.projFp32(), w.projLow()})
                if (pr != null && seen.put(pr, true) == null) pr.close();
        }
        unembedFp32.close();
        if (unembedLow != unembedFp32) unembedLow.close();
    }
}
