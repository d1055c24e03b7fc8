package dev.frugal.depth;

import dev.frugal.depth.net.DepthPoseModel;
import dev.frugal.depth.net.Params;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.ImageOps;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Self-supervised training of depth and pose (Monodepth2's recipe, V²-SfMLearner's losses): for each snippet the
 * target t is synthesised from t−1 and t+1 through the predicted depth of t and the predicted motions, at four
 * scales (disparities upsampled to the input size), loss = L_p + λ/2^s · L_s averaged over scales. Adam (β 0.9,
 * 0.999) written out here so that its moments go into the checkpoint: a resumed run continues bit for bit.
 */
public final class DepthTrainer implements AutoCloseable {
    /** What one step reports. */
    public record Step(long step, int epoch, double loss, double photometric, double autoMask, double seconds) {}

    /** Called after every step. */
    public interface Listener {
        void onStep(Step s);
    }

    private final DepthPoseModel model;
    private final TrainConfig cfg;
    private final Snippets data;
    private final Tensor[] k;
    private final List<Tensor> params;
    private final List<String> names;
    private final Tensor[] m, v;
    private long step;

    public DepthTrainer(DepthPoseModel model, TrainConfig cfg, Snippets data, Intrinsics intrinsics) {
        if (intrinsics.width() != model.config().width() || intrinsics.height() != model.config().height())
            throw new dev.frugal.UserInputException("sequences are " + intrinsics.width() + "x" + intrinsics.height() + " but the model was built for "
                    + model.config().width() + "x" + model.config().height());
        this.model = model;
        this.cfg = cfg;
        this.data = data;
        this.k = Warp.intrinsics(intrinsics);
        for (Tensor t : k) t.keep();
        this.params = model.trainable();
        this.names = model.params().trainableNames();
        this.m = new Tensor[params.size()];
        this.v = new Tensor[params.size()];
        try (Scope s = Scope.open()) {
            for (int i = 0; i < params.size(); i++) {
                m[i] = Tensors.zerosLike(params.get(i)).keep();
                v[i] = Tensors.zerosLike(params.get(i)).keep();
            }
        }
    }

    public long step() { return step; }

    public int stepsPerEpoch() { return (data.size() + cfg.batchSize() - 1) / cfg.batchSize(); }

    public long totalSteps() { return (long) stepsPerEpoch() * cfg.epochs(); }

    /** Trains until {@link #totalSteps()}, checkpointing to {@code checkpoint} (null: none) every checkpointEvery steps. */
    public void train(Listener listener, Path checkpoint) {
        // oneDNN off while training: its convolutions gave NaN gradients nondeterministically here (reproduced with 1
        // and 2 threads, for seeds that train finite and bit-reproducibly with libtorch's native convolutions); the
        // same NaNs once crashed grid_sampler_2d's backward. See docs/depth.md.
        boolean oneDnn = ImageOps.oneDnnEnabled();
        ImageOps.setOneDnnEnabled(false);
        try {
            trainLoop(listener, checkpoint);
        } finally {
            ImageOps.setOneDnnEnabled(oneDnn);
        }
    }

    private void trainLoop(Listener listener, Path checkpoint) {
        int per = stepsPerEpoch();
        while (step < totalSteps()) {
            int epoch = (int) (step / per), inEpoch = (int) (step % per);
            int[] order = data.order(cfg.seed(), epoch);
            int from = inEpoch * cfg.batchSize(), to = Math.min(order.length, from + cfg.batchSize());
            long t0 = System.nanoTime();
            double[] r = trainStep(Arrays.copyOfRange(order, from, to));
            step++;
            if (checkpoint != null && (step == totalSteps() || cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0)) save(checkpoint);
            listener.onStep(new Step(step, epoch, r[0], r[1], r[2], (System.nanoTime() - t0) / 1e9));
        }
    }

    /** One optimiser step on the snippets {@code idx}: {loss, photometric part, auto-mask fraction}. */
    double[] trainStep(int[] idx) {
        try (Scope s = Scope.open(); Rng noise = Rng.seeded("automask-tiebreak", cfg.seed() * 1_000_003L + step)) {
            Tensor[] b = data.batch(idx);
            Tensor prev = b[0], target = b[1], next = b[2];
            Tensor poseA = model.pose(prev, target, b[3], true);                          // T_t←t−1
            Tensor poseB = model.pose(target, next, b[4], true);                          // T_t+1←t
            Tensor tFromPrev = Warp.poseVecToMatrix(poseA.narrow(1, 0, 3), poseA.narrow(1, 3, 3), true);  // T_t−1←t
            Tensor nextFromT = Warp.poseVecToMatrix(poseB.narrow(1, 0, 3), poseB.narrow(1, 3, 3), false); // T_t+1←t
            List<Tensor> disps = model.disparities(target, true);
            Tensor total = null, photo = null, mask = null;
            int h = data.height(), w = data.width();
            for (int sc = 0; sc < disps.size(); sc++) {
                Tensor disp = disps.get(sc);
                Tensor depth = model.depthFromDisparity(ImageOps.resizeBilinear(disp, h, w, false));   // (B, 1, H, W)
                List<Tensor> warped = List.of(Warp.inverseWarp(prev, depth, tFromPrev, k[0], k[1]),
                        Warp.inverseWarp(next, depth, nextFromT, k[0], k[1]));
                Tensor[] lp = Losses.minReprojection(target, warped, List.of(prev, next), noise);
                Tensor img = sc == 0 ? target : ImageOps.resizeBilinear(target, disp.size(2), disp.size(3), false);
                Tensor smooth = Losses.smoothness(disp, img);
                Tensor l = lp[0].add(smooth.mul(cfg.smoothness() / Math.pow(2, sc)));
                total = total == null ? l : total.add(l);
                if (sc == 0) {
                    photo = lp[0];
                    mask = lp[1];
                }
            }
            Tensor loss = total.div(disps.size());
            loss.backward();
            double lv = loss.itemDouble();
            if (!Double.isFinite(lv))
                throw new IllegalStateException("training loss became " + lv + " at step " + step + "; lower --lr or report the run (seed "
                        + cfg.seed() + ")");
            adam();
            return new double[] {loss.itemDouble(), photo.itemDouble(), mask.itemDouble()};
        }
    }

    private void adam() {
        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        long t = step + 1;
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i), g = p.grad();
                if (!g.defined()) continue;
                m[i].mulInPlace(b1).addInPlace(g, 1 - b1);
                v[i].mulInPlace(b2).addcmulInPlace(g, g, 1 - b2);
                Tensor denom = v[i].sqrt().div(Math.sqrt(1 - Math.pow(b2, t))).add(eps);
                p.addcdivInPlace(m[i], denom, -cfg.lr() / (1 - Math.pow(b1, t)));
                p.clearGrad();
            }
        }
    }

    /** Writes model, Adam moments and the step atomically. */
    public void save(Path file) {
        try (Scope s = Scope.open()) {
            Map<String, Tensor> extra = new LinkedHashMap<>();
            for (int i = 0; i < params.size(); i++) {
                extra.put("adam.m." + names.get(i), m[i]);
                extra.put("adam.v." + names.get(i), v[i]);
            }
            model.params().save(file, extra, Map.of("step", Long.toString(step), "vibration", Boolean.toString(model.config().vibration())));
        }
    }

    /** Restores model, moments and step from a checkpoint written by {@link #save}. */
    public void resume(Path file) {
        if (!Files.exists(file)) throw new dev.frugal.UserInputException(file + " does not exist: nothing to resume");
        try (SafetensorsFile f = SafetensorsFile.open(file)) { // the setting first: its mismatch also shows as shapes
            String vib = f.metadata().get("vibration");
            if (vib != null && Boolean.parseBoolean(vib) != model.config().vibration())
                throw new dev.frugal.UserInputException(file + " was trained with vibration " + (Boolean.parseBoolean(vib) ? "on" : "off")
                        + "; resume with the same --vibration");
        }
        model.params().load(file);
        try (SafetensorsFile f = SafetensorsFile.open(file); GradMode off = GradMode.off(); Scope s = Scope.open()) {
            for (int i = 0; i < params.size(); i++) {
                m[i].copyFrom(f.tensor("adam.m." + names.get(i), DType.F32));
                v[i].copyFrom(f.tensor("adam.v." + names.get(i), DType.F32));
            }
            step = Long.parseLong(f.metadata().getOrDefault("step", "0"));
        }
    }

    /** Parameters' values (for tests comparing runs). */
    List<float[]> snapshot() {
        List<float[]> out = new ArrayList<>();
        for (Tensor p : params) out.add(p.toFloatArray());
        return out;
    }

    @Override
    public void close() {
        for (Tensor t : k) t.close();
        for (int i = 0; i < params.size(); i++) {
            m[i].close();
            v[i].close();
        }
    }
}
