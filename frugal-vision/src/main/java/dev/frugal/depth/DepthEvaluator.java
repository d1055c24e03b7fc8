package dev.frugal.depth;

import dev.frugal.depth.net.DepthPoseModel;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation on held-out sequences: depth of every frame (BatchNorm in inference mode) against ground truth with
 * median scaling, within {@code [minDepth, maxDepth]} of the model, and the trajectory chained from the predicted
 * pair motions against the true one (ATE/RPE after scale alignment).
 */
public final class DepthEvaluator {
    private DepthEvaluator() {}

    /** Results of one sequence; {@code predictedDepth} of frame {@code sampleFrame} is kept for plotting. */
    public record Result(String sequence, DepthMetrics depth, TrajectoryMetrics trajectory, int sampleFrame, float[] sampleDepth) {}

    public static Result evaluate(DepthPoseModel model, Sequence seq, int sampleFrame) {
        boolean oneDnn = dev.frugal.tensor.ImageOps.oneDnnEnabled();
        dev.frugal.tensor.ImageOps.setOneDnnEnabled(false); // as in training (see DepthTrainer#train)
        try {
            return evaluateNative(model, seq, sampleFrame);
        } finally {
            dev.frugal.tensor.ImageOps.setOneDnnEnabled(oneDnn);
        }
    }

    private static Result evaluateNative(DepthPoseModel model, Sequence seq, int sampleFrame) {
        if (seq.width() != model.config().width() || seq.height() != model.config().height())
            throw new IllegalArgumentException("sequence " + seq.name() + " is " + seq.width() + "x" + seq.height()
                    + " but the model was built for " + model.config().width() + "x" + model.config().height());
        Snippets one = new Snippets(List.of(seq));
        int h = seq.height(), w = seq.width(), px = h * w;
        List<DepthMetrics> dm = new ArrayList<>();
        List<Se3> pred = new ArrayList<>(), gt = new ArrayList<>();
        float[] sample = null;
        try (GradMode off = GradMode.off()) {
            for (int f = 0; f < seq.frames(); f++) {
                try (Scope s = Scope.open()) {
                    float[] img = new float[3 * px];
                    Snippets.toChw(seq.rgb().get(f), img, 0, px);
                    Tensor x = Tensors.fromFloats(img, 1, 3, h, w);
                    float[] depth = model.depthFromDisparity(model.disparities(x, false).get(0)).toFloatArray();
                    dm.add(DepthMetrics.of(depth, seq.depth().get(f), model.config().minDepth(), model.config().maxDepth(), true));
                    if (f == sampleFrame) sample = depth;
                    if (f + 1 < seq.frames()) {
                        float[] img2 = new float[3 * px], imu = new float[one.imuSteps() * 6];
                        Snippets.toChw(seq.rgb().get(f + 1), img2, 0, px);
                        Snippets.imuWindow(seq, f, imu, 0, one.imuSteps());
                        Tensor p = model.pose(x, Tensors.fromFloats(img2, 1, 3, h, w), Tensors.fromFloats(imu, 1, one.imuSteps(), 6), false);
                        Tensor tm = Warp.poseVecToMatrix(p.narrow(1, 0, 3), p.narrow(1, 3, 3), false);
                        pred.add(Warp.toSe3(tm, 0));
                        gt.add(seq.relativePose(f));
                    }
                }
            }
        }
        return new Result(seq.name(), DepthMetrics.mean(dm), TrajectoryMetrics.ofRelative(pred, gt), sampleFrame, sample);
    }
}
