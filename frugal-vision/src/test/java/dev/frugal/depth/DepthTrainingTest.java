package dev.frugal.depth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.depth.net.DepthPoseModel;
import dev.frugal.depth.net.ModelConfig;
import dev.frugal.depth.sim.SequenceGenerator;
import dev.frugal.depth.sim.SimConfig;
import dev.frugal.depth.sim.VibrationIntensity;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Losses on simulated frames with ground truth, a few training steps of both models, and exact resumption. */
class DepthTrainingTest {
    static List<Sequence> seqs = new ArrayList<>();

    @BeforeAll
    static void render() {
        for (int i = 0; i < 2; i++)
            seqs.add(SequenceGenerator.generate("s" + i, SimConfig.of(64, 48, 6, VibrationIntensity.MODERATE, 40 + i), null).sequence());
    }

    @Test
    void groundTruthDepthAndMotionExplainTheTarget() {
        Sequence q = seqs.get(0);
        int h = q.height(), w = q.width(), px = h * w, t = 2;
        try (Scope s = Scope.open()) {
            Tensor[] k = Warp.intrinsics(q.intrinsics());
            float[][] img = new float[3][3 * px];
            for (int f = 0; f < 3; f++) Snippets.toChw(q.rgb().get(t - 1 + f), img[f], 0, px);
            Tensor prev = Tensors.fromFloats(img[0], 1, 3, h, w), target = Tensors.fromFloats(img[1], 1, 3, h, w), next = Tensors.fromFloats(img[2], 1, 3, h, w);
            Tensor depth = Tensors.fromFloats(q.depth().get(t), 1, 1, h, w);
            Tensor good = Warp.inverseWarp(next, depth, Warp.toTensor(q.relativePose(t)), k[0], k[1]);
            Tensor goodPrev = Warp.inverseWarp(prev, depth, Warp.toTensor(q.relativePose(t - 1).inverse()), k[0], k[1]);
            Tensor bad = Warp.inverseWarp(next, depth, Warp.toTensor(q.relativePose(t).inverse()), k[0], k[1]);
            double eGood = Losses.photometric(good, target).mean().itemDouble(), eGoodPrev = Losses.photometric(goodPrev, target).mean().itemDouble();
            double eBad = Losses.photometric(bad, target).mean().itemDouble(), eNone = Losses.photometric(next, target).mean().itemDouble();
            System.out.printf("simulated warp: GT %.4f / %.4f, inverted motion %.4f, identity %.4f%n", eGood, eGoodPrev, eBad, eNone);
            assertTrue(eGood < 0.5 * eBad && eGoodPrev < 0.5 * eBad, eGood + " " + eGoodPrev + " vs " + eBad);
            assertTrue(eGood < eNone, eGood + " vs " + eNone);
            assertEquals(0, Losses.photometric(target, target).abs().max().itemDouble(), 1e-6);
            Tensor[] lp = Losses.minReprojection(target, List.of(good, goodPrev), List.of(prev, next), Rng.seeded("n", 1));
            assertTrue(lp[0].itemDouble() <= Math.min(eGood, eGoodPrev) + 1e-4);
        }
    }

    @Test
    void bothModelsTrainAndResumeExactly(@TempDir Path dir) {
        for (boolean vib : new boolean[] {false, true}) {
            ModelConfig mc = ModelConfig.small(48, 64, vib);
            Snippets data = new Snippets(seqs);
            TrainConfig tc = new TrainConfig(1, 2, 5e-4, 1e-3, 7, 0);
            List<float[]> straight;
            List<Double> losses = new ArrayList<>();
            try (DepthPoseModel m = new DepthPoseModel(mc, 3); DepthTrainer tr = new DepthTrainer(m, tc, data, seqs.get(0).intrinsics())) {
                List<float[]> init = tr.snapshot();
                tr.train(st -> losses.add(st.loss()), null);
                straight = tr.snapshot();
                assertEquals(tr.totalSteps(), losses.size());
                boolean moved = false; // a trainer that changed nothing would resume "exactly" too
                for (int i = 0; i < init.size(); i++) moved |= !java.util.Arrays.equals(init.get(i), straight.get(i));
                assertTrue(moved, "vibration " + vib + ": training left every parameter at its initial value");
            }
            for (double l : losses) assertTrue(Double.isFinite(l) && l > 0, "vibration " + vib + " loss " + l);
            Path ck = dir.resolve("ck-" + vib + ".safetensors");
            TrainConfig half = new TrainConfig(1, 2, 5e-4, 1e-3, 7, 2);
            try (DepthPoseModel m = new DepthPoseModel(mc, 3); DepthTrainer tr = new DepthTrainer(m, half, data, seqs.get(0).intrinsics())) {
                tr.train(st -> { if (st.step() == 2) throw new StopHere(); }, ck);
            } catch (StopHere expected) {
                // interrupted after the step-2 checkpoint
            }
            try (DepthPoseModel m = new DepthPoseModel(mc, 99); DepthTrainer tr = new DepthTrainer(m, tc, data, seqs.get(0).intrinsics())) {
                tr.resume(ck);
                assertEquals(2, tr.step());
                tr.train(st -> { }, null);
                List<float[]> resumed = tr.snapshot();
                for (int i = 0; i < straight.size(); i++) assertArrayEquals(straight.get(i), resumed.get(i), "vibration " + vib + " param " + i);
            }
            try (DepthPoseModel m = new DepthPoseModel(mc, 3)) {
                DepthEvaluator.Result r = DepthEvaluator.evaluate(m, seqs.get(1), 1);
                assertTrue(r.depth().absRel() > 0 && Double.isFinite(r.trajectory().ate()));
            }
        }
        try (DepthPoseModel a = new DepthPoseModel(ModelConfig.small(48, 64, false), 1); DepthPoseModel b = new DepthPoseModel(ModelConfig.small(48, 64, true), 1)) {
            assertTrue(b.params().count() > a.params().count(), "the vibration path adds parameters");
        }
    }

    static final class StopHere extends RuntimeException {}
}
