package dev.frugal.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ResNetTest {

    @ParameterizedTest
    @EnumSource(Backbone.class)
    void shapesAndBnOnlyTraining(Backbone arch) {
        ResNetConfig cfg = new ResNetConfig(arch, 1, List.of(8, 8, 16, 16), 28);
        try (ResNet m = ResNet.init(cfg, Rng.seeded("init", 1)); Scope s = Scope.open()) {
            Tensor x = Tensors.rand(Rng.seeded("x", 2), 4, 1, 28, 28);
            Tensor f = m.featureMap(x, false);
            long side = arch == Backbone.RESNET10 ? 4 : 3; // 28 → 28, 14, 7, 4 (ResNet-10); 28 → 14, 7, 3 (ResNet-12)
            assertArrayEquals(new long[] {4, 16, side, side}, f.shape());
            assertArrayEquals(new long[] {4, side * side, 16}, m.localFeatures(x, false).shape());
            List<Tensor> bn = m.setTrainable(ResNet.Trainable.BN_ONLY);
            m.pooled(x, true).pow(2).sum().backward();
            for (Tensor p : bn) assertTrue(p.grad().defined(), "BN parameter without gradient");
            m.state().forEach((name, t) -> {
                if (name.contains("conv")) assertFalse(t.grad().defined(), name + " got a gradient in BN-only training");
            });
            m.setTrainable(ResNet.Trainable.NONE);
        }
    }

    @Test
    void saveLoadRoundTripAndArchitectureCheck(@TempDir Path dir) {
        ResNetConfig cfg = new ResNetConfig(Backbone.RESNET10, 1, List.of(8, 8, 16, 16), 28);
        Path file = dir.resolve("b.safetensors");
        try (ResNet m = ResNet.init(cfg, Rng.seeded("init", 3)); Scope s = Scope.open()) {
            Tensor x = Tensors.rand(Rng.seeded("x", 4), 3, 1, 28, 28);
            m.featureMap(x, true); // moves the running statistics away from their initial values
            m.save(file);
            try (ResNet back = ResNet.load(file, cfg)) {
                assertEquals(0.0, Tensors.maxAbsDiff(m.featureMap(x, false), back.featureMap(x, false)));
            }
            ResNetConfig other = new ResNetConfig(Backbone.RESNET12, 1, List.of(8, 8, 16, 16), 28);
            BackboneCheckpointException e = assertThrows(BackboneCheckpointException.class, () -> ResNet.load(file, other));
            assertTrue(e.getMessage().contains("resnet10") && e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void copyIsIndependentAndCopyFromRestores() {
        ResNetConfig cfg = new ResNetConfig(Backbone.RESNET10, 1, List.of(8, 8, 16, 16), 28);
        try (ResNet m = ResNet.init(cfg, Rng.seeded("init", 5)); ResNet saved = m.copy(); Scope s = Scope.open()) {
            Tensor x = Tensors.rand(Rng.seeded("x", 6), 3, 1, 28, 28);
            Tensor before = m.featureMap(x, false).cloneTensor();
            m.featureMap(x, true); // changes m's running statistics only
            assertTrue(Tensors.maxAbsDiff(before, m.featureMap(x, false)) > 0);
            m.copyFrom(saved);
            assertEquals(0.0, Tensors.maxAbsDiff(before, m.featureMap(x, false)));
        }
    }
}
