package dev.frugal.influence.experiment;

import dev.frugal.influence.data.DataRef;
import dev.frugal.influence.data.Split;
import dev.frugal.influence.method.Method;
import dev.frugal.influence.model.ModelSpec;
import dev.frugal.influence.sam.SamConfig;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.solve.IhvpSolver;
import dev.frugal.tensor.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@code frugal bench influence}: the leave-one-out / LDS check on the digits (logistic regression, SAM), mislabel
 * detection on Fashion-MNIST (MLP) and on SpamAssassin (frozen MiniLM + linear head), every method, one table and
 * one JSON object with the keys.
 */
public final class InfluenceBench {
    private InfluenceBench() {}

    /** The figures (JSON keys in order) and the table lines. */
    public record Report(Map<String, Object> figures, List<String> table, LooResult loo,
                         MislabelResult fmnist, MislabelResult spam) {}

    /** Full-batch SAM for the convex leave-one-out check: ρ 0.1, heavy ball, to ‖G‖ &lt; 1e-10 in float64. */
    public static TrainConfig looTraining(double rho) {
        return new TrainConfig(SamConfig.sam(rho), TrainConfig.BaseOptimizer.SGD, 2.5, 0.7, 1e-2, 0, 20_000, 1e-10,
                0, 0, DType.F64);
    }

    /** Full-batch SAM for the mislabel models, heavy ball μ 0.9, to ‖G‖ &lt; 1e-6 or the budget. */
    public static TrainConfig mislabelTraining(double rho, int steps, double lr, double weightDecay, DType dt) {
        return new TrainConfig(SamConfig.sam(rho), TrainConfig.BaseOptimizer.SGD, lr, 0.9, weightDecay, 0, steps, 1e-6,
                0, 0, dt);
    }

    /** The Hessian methods refuse a mislabel model whose ‖G(θ*) + λθ*‖ is above this (no --force in the bench). */
    public static final double MISLABEL_MAX_GRAD_NORM = 1e-4;

    public static Report run(boolean quick, BiConsumer<String, Integer> progress) {
        List<Method> methods = List.of(Method.values());
        int looTrain = quick ? 300 : 500;
        LooConfig lc = new LooConfig(ModelSpec.Kind.LOGREG, 0, quick ? 40 : 100, quick ? 10 : 50, 0.5, 50,
                looTraining(0.3), 100, IhvpSolver.parse("exact"), 1e-6, methods, 7);
        LooResult loo = LeaveOneOut.run(new DataRef("digits", null, looTrain, 500, 7).load(null), lc, progress);

        // full: N 400 with the quick bench's 4-unit MLP (838 parameters). A 16-unit MLP on 1000 images costs ~20×
        // per SAM step and its 11 retrainings alone would exceed the bench's hour (docs/influence.md).
        int fm = quick ? 200 : 400;
        Split f = new DataRef("fmnist", null, fm, 1000, 7).load(null);
        MislabelConfig fc = new MislabelConfig(ModelSpec.Kind.MLP, 4,
                mislabelTraining(0.05, quick ? 10_000 : 12_000, 0.1, 1e-2, DType.F64), 100, 0.1,
                IhvpSolver.parse("exact"), 1e-2, methods, 7, MISLABEL_MAX_GRAD_NORM, false);
        MislabelResult fmnist = Mislabel.run(f.train(), f.test(), fc, progress);

        int sp = quick ? 300 : 1000;
        Split s = new DataRef("spam", null, sp, 587, 7).load(k -> {
            if (progress != null) progress.accept("embed", k);
        });
        MislabelConfig sc = new MislabelConfig(ModelSpec.Kind.LOGREG, 0,
                mislabelTraining(0.05, quick ? 1500 : 3000, 2.0, 1e-3, DType.F64), 100, 0.1,
                IhvpSolver.parse("exact"), 1e-3, methods, 7, MISLABEL_MAX_GRAD_NORM, false);
        MislabelResult spam = Mislabel.run(s.train(), s.test(), sc, progress);

        Map<String, Object> fig = new LinkedHashMap<>();
        fig.put("bench", "influence");
        fig.put("quick", quick);
        for (Method m : methods) {
            String k = m.key();
            fig.put("loo_spearman_" + k, loo.spearman().get(m));
            fig.put("loo_pearson_" + k, loo.pearson().get(m));
            fig.put("lds_" + k, loo.lds().get(m));
            fig.put("mislabel_auc_" + k + "_fmnist", fmnist.auc().get(m));
            fig.put("mislabel_auc_" + k + "_spam", spam.auc().get(m));
            fig.put("ms_per_train_example_" + k, loo.msPerExample().get(m));
            fig.put("peak_rss_mb_" + k, Math.max(loo.peakRssMb().get(m),
                    Math.max(fmnist.peakRssMb().get(m), spam.peakRssMb().get(m))));
        }
        fig.put("loo_train", looTrain);
        fig.put("loo_removals", loo.removed().length);
        fig.put("lds_subsets", lc.ldsSubsets());
        fig.put("fmnist_train", fm);
        fig.put("spam_train", sp);

        List<String> t = new ArrayList<>();
        t.add(String.format(Locale.ROOT, "%-8s %9s %9s %8s %9s %9s %9s %9s %9s %10s", "method", "loo-spear", "loo-pear",
                "lds", "auc-fmn", "top10-fm", "auc-spam", "top10-sp", "ms/ex", "rss MB"));
        for (Method m : methods) {
            t.add(String.format(Locale.ROOT, "%-8s %9.4f %9.4f %8.4f %9.4f %9.4f %9.4f %9.4f %9.3f %10.0f",
                    m.cliName(), loo.spearman().get(m), loo.pearson().get(m), loo.lds().get(m), fmnist.auc().get(m),
                    fmnist.foundTop10().get(m), spam.auc().get(m), spam.foundTop10().get(m),
                    loo.msPerExample().get(m), (double) fig.get("peak_rss_mb_" + m.key())));
        }
        t.add(String.format(Locale.ROOT, "digits logreg: N %d, %d removals, %d LDS subsets, test acc %.4f, ‖G‖ %.2g;"
                        + " fmnist MLP: N %d, noisy acc %.4f, clean %.4f, ‖G‖ %.2g; spam: N %d, noisy acc %.4f, clean"
                        + " %.4f, ‖G‖ %.2g", looTrain, loo.removed().length, lc.ldsSubsets(), loo.testAccuracy(),
                loo.gradNorm(), fm, fmnist.noisyAccuracy(), fmnist.cleanAccuracy(), fmnist.gradNorm(), sp,
                spam.noisyAccuracy(), spam.cleanAccuracy(), spam.gradNorm()));
        return new Report(fig, t, loo, fmnist, spam);
    }
}
