package dev.frugal.fewshot;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.train.AdamW;
import dev.frugal.train.AdamWConfig;
import dev.frugal.train.Sgd;
import dev.frugal.train.SgdConfig;
import dev.frugal.vision.AugmentConfig;
import dev.frugal.vision.Augmenter;
import dev.frugal.vision.Episode;
import dev.frugal.vision.ImageSet;
import dev.frugal.vision.ResNet;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one method on one episode. The pretrained backbone is never modified: methods that train (IDP, fine-tuning
 * with the backbone) work on a copy that is reset from it before every episode, so episodes are independent and the
 * same episode with the same seed gives the same result in any order, on any executor.
 */
public final class FewShotEvaluator implements AutoCloseable {
    private final ResNet base;
    private final ResNet work;
    private final Tensor projector; // (d, d) M = Uᵀ(UUᵀ + λI)⁻¹U of the codebook U (IDP Eq. 1)
    private final IdpConfig idp;
    private final FinetuneConfig finetune;
    /**
     * Below this annealed momentum ({@code 0.1 / (1 + e^step)} from step 9 on) {@link BnStatistics#ANNEALED} skips the
     * statistics forward: all later steps together would move the statistics by under 2e-5 of the gap.
     */
    static final double MIN_STAT_MOMENTUM = 1e-4;

    /** @param codebook U (m, d) of the source; the evaluator keeps its own projector and does not take U over */
    public FewShotEvaluator(ResNet base, Tensor codebook, IdpConfig idp, FinetuneConfig finetune) {
        this.base = base;
        this.work = base.copy();
        this.idp = idp;
        this.finetune = finetune;
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            this.projector = Ridge.projector(codebook, Ridge.lambda(codebook.size(0), codebook.size(1))).keep();
        }
    }

    public IdpConfig idp() { return idp; }

    /** Runs {@code method} on {@code episode} of {@code set}; {@code seed} drives the method's own randomness. */
    public EpisodeResult run(MethodName method, ImageSet set, Episode episode, long seed) {
        try (Scope s = Scope.open()) {
            Tensor sx = set.stack(episode.supportImages(set));                               // (N·K, C, S, S)
            Tensor qx = set.stack(episode.queryImages(set));                                 // (N·Q, C, S, S)
            Tensor qy = Tensors.fromLongs(Episode.labels(episode.ways(), episode.queries()), (long) episode.ways() * episode.queries());
            double[] align = {0};
            Tensor logits = switch (method) {
                case PROTONET -> protoNet(sx, qx, episode);
                case FRN -> frn(base, false, sx, qx, episode);
                case FINETUNE -> finetune(set, sx, qx, episode, seed, align);
                case IDP -> idp(set, episode, sx, qx, seed, align);
            };
            double acc = logits.argmax(1, false).eq(qy).to(DType.F32).mean().itemDouble();
            return new EpisodeResult(episode.index(), acc, align[0], EpisodeResult.digest(logits.toFloatArray()));
        }
    }

    /** ProtoNet: {@code −‖f(q) − c_n‖²} with {@code c_n} the mean pooled feature of class n's shots. (N·Q, N) */
    private Tensor protoNet(Tensor sx, Tensor qx, Episode e) {
        try (GradMode off = GradMode.off()) {
            Tensor c = base.pooled(sx, false).reshape(e.ways(), e.shots(), -1).mean(1, false); // (N, d)
            Tensor f = base.pooled(qx, false);                                              // (N·Q, d)
            return f.pow(2).sum(1, true).sub(f.matmul(c.t()).mul(2)).add(c.pow(2).sum(1, false).unsqueeze(0)).neg();
        }
    }

    /** FRN scores of the queries against each class's support local features. (N·Q, N) */
    private static Tensor frn(ResNet m, boolean batchStats, Tensor sx, Tensor qx, Episode e) {
        try (GradMode off = GradMode.off()) {
            Tensor fs = m.localFeatures(sx, batchStats);                                    // (N·K, r, d)
            Tensor s = fs.reshape(e.ways(), e.shots() * fs.size(1), fs.size(2));            // (N, K·r, d)
            return Ridge.frnLogits(m.localFeatures(qx, batchStats), s, 1.0);
        }
    }

    /** BSCD-FSL fine-tuning: linear head (and optionally the backbone) trained on the support set. (N·Q, N) */
    private Tensor finetune(ImageSet set, Tensor sx, Tensor qx, Episode e, long seed, double[] millis) {
        Rng rng = Rng.seeded("finetune", seed);
        boolean tune = finetune.tuneBackbone();
        ResNet m = tune ? work : base;
        if (tune) work.copyFrom(base);
        long t0 = System.nanoTime();
        int n = e.ways() * e.shots();
        long d = base.config().featureDim();
        Tensor w = Tensors.randn(rng, e.ways(), d).mul(Math.sqrt(1.0 / d)).keep().requiresGrad(true);   // (N, d)
        Tensor b = Tensors.zeros(e.ways()).keep().requiresGrad(true);                                   // (N)
        Tensor frozen = null;
        if (!tune) {
            try (GradMode off = GradMode.off()) {
                frozen = base.pooled(sx, false).keep();                                                  // (N·K, d)
            }
        }
        List<Tensor> params = new ArrayList<>(List.of(w, b));
        if (tune) params.addAll(work.setTrainable(ResNet.Trainable.ALL));
        long[] y = Episode.labels(e.ways(), e.shots());
        try (Sgd opt = new Sgd(params, SgdConfig.momentum(finetune.lr(), 0.9).withWeightDecay(1e-3))) {
            for (int epoch = 0; epoch < finetune.epochs(); epoch++) {
                long[] perm;
                try (Scope s = Scope.open()) {
                    perm = Tensors.randperm(n, rng).toLongArray();
                }
                for (int i = 0; i < n; i += finetune.batchSize()) {
                    try (Scope s = Scope.open()) {
                        int len = Math.min(finetune.batchSize(), n - i);
                        long[] pick = java.util.Arrays.copyOfRange(perm, i, i + len);
                        long[] yy = new long[len];
                        for (int k = 0; k < len; k++) yy[k] = y[(int) pick[k]];
                        Tensor idx = Tensors.fromLongs(pick, len);
                        Tensor feats = tune ? work.pooled(sx.indexSelect(0, idx), len > 1) : frozen.indexSelect(0, idx);
                        Tensor loss = NN.crossEntropy(NN.linear(feats, w, b), Tensors.fromLongs(yy, len), -100);
                        loss.backward();
                        opt.step();
                        opt.zeroGrad();
                    }
                }
            }
        }
        millis[0] = (System.nanoTime() - t0) / 1e6;
        if (tune) work.setTrainable(ResNet.Trainable.NONE);
        try (GradMode off = GradMode.off()) {
            Tensor out = NN.linear(m.pooled(qx, false), w, b);
            w.close();
            b.close();
            if (frozen != null) frozen.close();
            return out;
        }
    }

    /**
     * IDP (arXiv 2511.14279, Sec. 3.2–3.3; authors' {@code AlignFinetuning.align}): for {@code steps} steps, a pseudo
     * episode is made from the support set — its K shots as pseudo-support and {@code pseudoQueries} augmented shots
     * per class as pseudo-queries; the pseudo-queries' local features T give intermediate-domain proxies
     * {@code P = T M} (Eq. 1, {@code M = Uᵀ(UUᵀ+λI)⁻¹U} of the codebook); both views are classified by the FRN
     * reconstruction from the pseudo-support, and only BN's γ, β step on
     * <pre>  L = CE(s(T), y) + CE(s(P), y) + KL(softmax s(P) ‖ softmax s(T))</pre>
     * The BN statistics follow {@link IdpConfig#bn()}: with {@link BnStatistics#ANNEALED} (default) each step first
     * moves the running statistics toward the pseudo-batch's with momentum {@code 0.1 / (1 + e^step)} (the authors'
     * annealing), then takes the loss on a forward normalised by the running statistics. The episode's queries are
     * then classified by FRN with the aligned backbone.
     */
    private Tensor idp(ImageSet set, Episode e, Tensor sx, Tensor qx, long seed, double[] millis) {
        work.copyFrom(base);
        Rng rng = Rng.seeded("idp-augment", seed);
        Augmenter augmenter = new Augmenter(AugmentConfig.standard());
        List<float[]> shots = e.supportImages(set);
        int ways = e.ways(), k = e.shots(), pq = idp.pseudoQueries();
        BnStatistics bnMode = idp.bn();
        boolean trainMode = bnMode.trainModeAlignment();
        long t0 = System.nanoTime();
        List<Tensor> bn = work.setTrainable(ResNet.Trainable.BN_ONLY);
        Tensor pqy = Tensors.fromLongs(Episode.labels(ways, pq), (long) ways * pq).keep();
        try (AdamW opt = new AdamW(bn, AdamWConfig.defaults().withLr(idp.lr()).withWeightDecay(0))) {
            for (int step = 0; step < idp.steps(); step++) {
                try (Scope s = Scope.open()) {
                    double momentum = 0.1 / (1 + Math.exp(step));                          // the authors' annealing
                    if (bnMode.movesStatistics()) work.setMomentum(momentum);
                    List<float[]> toAugment = new ArrayList<>();
                    for (int n = 0; n < ways; n++) for (int j = 0; j < pq; j++) toAugment.add(shots.get(n * k + j % k));
                    List<float[]> batch = new ArrayList<>(shots);
                    batch.addAll(augmenter.apply(toAugment, set.channels(), set.size(), rng));
                    Tensor x = set.stack(batch);                                             // (N·K + N·Q', C, S, S)
                    if (bnMode == BnStatistics.ANNEALED && momentum >= MIN_STAT_MOMENTUM) {
                        try (GradMode off = GradMode.off()) {
                            work.featureMap(x, true);                                        // running stats ← pseudo-batch
                        }
                    }
                    Tensor f = work.localFeatures(x, trainMode);                            // (N·K + N·Q', r, d)
                    long r = f.size(1), d = f.size(2);
                    Tensor sup = f.narrow(0, 0, (long) ways * k).reshape(ways, k * r, d);   // (N, K·r, d)
                    Tensor t = f.narrow(0, (long) ways * k, (long) ways * pq);             // (N·Q', r, d)
                    Tensor p = idp.codebook() ? t.reshape(-1, d).matmul(projector).reshape(ways * pq, r, d) : t; // proxies
                    Tensor lt = Ridge.frnLogits(t, sup, idp.logitScale());                 // (N·Q', N)
                    Tensor lp = Ridge.frnLogits(p, sup, idp.logitScale());                 // (N·Q', N)
                    Tensor loss = NN.crossEntropy(lt, pqy, -100).add(NN.crossEntropy(lp, pqy, -100));
                    if (idp.kl()) {
                        Tensor logPt = NN.logSoftmax(lt, 1), logPp = NN.logSoftmax(lp, 1);
                        // KL(p_P ‖ p_T), batch mean: the authors' F.kl_div(pred.log(), pred2, 'batchmean')
                        loss = loss.add(logPp.exp().mul(logPp.sub(logPt)).sum().div(lt.size(0)));
                    }
                    loss.backward();
                    opt.step();
                    opt.zeroGrad();
                }
            }
        }
        work.setTrainable(ResNet.Trainable.NONE);
        pqy.close();
        millis[0] = (System.nanoTime() - t0) / 1e6;
        Tensor out = frn(work, bnMode.batchStatsAtInference(), sx, qx, e);
        work.setMomentum(ResNet.DEFAULT_MOMENTUM);
        return out;
    }

    @Override
    public void close() {
        work.close();
        projector.close();
    }
}
