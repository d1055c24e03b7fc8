package dev.frugal.depth.net;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * DepthNet, PoseNet and (when {@link ModelConfig#vibration()}) the vibration branch with the Fourier fusion module,
 * sharing one {@link Params}. The vision-only baseline is this class with the vibration path off: no vibration
 * parameters exist and the pose decoder sees the visual features alone.
 */
public final class DepthPoseModel implements AutoCloseable {
    private final ModelConfig cfg;
    private final Params params;
    private final ResNetEncoder depthEncoder, poseEncoder;
    private final DepthDecoder depthDecoder;
    private final PoseDecoder poseDecoder;
    private final VibrationBranch vibration;
    private final FourierFusion fusion;

    public DepthPoseModel(ModelConfig cfg, long seed) {
        this.cfg = cfg;
        this.params = new Params(Rng.seeded("depth-init", seed));
        depthEncoder = new ResNetEncoder(params, "depth_enc", 3, cfg.encoderWidths());
        double disp0 = cfg.initialDisparity();
        depthDecoder = new DepthDecoder(params, cfg.encoderWidths(), cfg.decoderWidths(), Math.log(disp0 / (1 - disp0)));
        poseEncoder = new ResNetEncoder(params, "pose_enc", 6, cfg.encoderWidths());
        long c = cfg.encoderWidths()[4];
        if (cfg.vibration()) {
            vibration = new VibrationBranch(params, cfg.vibHidden());
            fusion = new FourierFusion(params, c, cfg.bottleneck(cfg.height()), cfg.bottleneck(cfg.width()), cfg.vibHidden());
            poseDecoder = new PoseDecoder(params, c + cfg.vibHidden(), cfg.poseWidth(), cfg.poseScale());
        } else {
            vibration = null;
            fusion = null;
            poseDecoder = new PoseDecoder(params, c, cfg.poseWidth(), cfg.poseScale());
        }
    }

    public ModelConfig config() { return cfg; }

    public Params params() { return params; }

    /** ImageNet-style normalisation Monodepth2 applies to inputs in [0, 1]. */
    private static Tensor normalise(Tensor x) { return x.sub(0.45).div(0.225); }

    /** Disparities in (0, 1) at four scales, finest first, for {@code image (B, 3, H, W)} in [0, 1]. */
    public List<Tensor> disparities(Tensor image, boolean training) {
        return depthDecoder.forward(depthEncoder.forward(normalise(image), training));
    }

    /** Monodepth2's {@code disp_to_depth}: depth = 1 / (1/max + (1/min − 1/max) · disp). */
    public Tensor depthFromDisparity(Tensor disp) {
        double minDisp = 1 / cfg.maxDepth(), maxDisp = 1 / cfg.minDepth();
        return disp.mul(maxDisp - minDisp).add(minDisp).reciprocal();
    }

    /**
     * Pose vector {@code (B, 6)} (axis-angle, translation) of {@code T_{k+1}←k} from frames k and k+1
     * {@code (B, 3, H, W)} and the IMU window between them {@code (B, T, 6)} (ignored when the vibration path is off).
     */
    public Tensor pose(Tensor frameK, Tensor frameK1, Tensor imu, boolean training) {
        Tensor f = poseEncoder.forward(normalise(Tensors.cat(List.of(frameK, frameK1), 1)), training).get(4);
        if (!cfg.vibration()) return poseDecoder.forward(f);
        Tensor v = vibration.forward(imu);                                                 // (B, H)
        Tensor fused = fusion.forward(f, v);                                              // (B, C, h, w)
        Tensor vmap = v.unsqueeze(2).unsqueeze(3).expand(v.size(0), v.size(1), f.size(2), f.size(3)).contiguous();
        return poseDecoder.forward(Tensors.cat(List.of(fused, vmap), 1));
    }

    public List<Tensor> trainable() { return new ArrayList<>(params.trainable()); }

    @Override
    public void close() { params.close(); }
}
