package dev.frugal.vision;

import dev.frugal.io.SafetensorsFile;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A residual backbone ({@link Backbone#RESNET10} or {@link Backbone#RESNET12}) with BatchNorm, on libtorch. It maps
 * images {@code (B, C_in, S, S)} to a map of local features {@code (B, d, h, w)}; the few-shot methods read it as
 * {@code h·w} local features of dimension d (FRN, IDP) or average-pool it to one vector (ProtoNet, fine-tuning).
 * Convolutions have no bias (BN follows each one). Every tensor is kept for the model's lifetime: {@link #close()}.
 */
public final class ResNet implements AutoCloseable {
    /** PyTorch's default BN momentum. */
    public static final double DEFAULT_MOMENTUM = 0.1;

    private final ResNetConfig config;
    private final LinkedHashMap<String, Tensor> convs = new LinkedHashMap<>();      // name → (O, I, k, k)
    private final LinkedHashMap<String, BatchNorm2d> norms = new LinkedHashMap<>();
    private double momentum = DEFAULT_MOMENTUM;

    private ResNet(ResNetConfig config) { this.config = config; }

    /** A freshly initialised backbone: Kaiming-normal convs (fan-out, as the authors' code), BN γ = 1, β = 0. */
    public static ResNet init(ResNetConfig config, Rng rng) {
        ResNet m = new ResNet(config);
        m.forEachLayer((name, out, in, k) -> {
            try (Scope s = Scope.open()) {
                double std = Math.sqrt(2.0 / (out * k * k));
                m.convs.put(name, Tensors.randn(rng, out, in, k, k).mul(std).keep());
            }
        }, (name, c) -> m.norms.put(name, new BatchNorm2d(c)));
        return m;
    }

    public ResNetConfig config() { return config; }

    /** BN momentum used in training mode (IDP anneals it during alignment). */
    public void setMomentum(double momentum) { this.momentum = momentum; }

    public double momentum() { return momentum; }

    /**
     * The local feature map: {@code x (B, C_in, S, S)} → {@code (B, d, h, w)}. {@code training} selects batch
     * statistics (and running-statistics updates) over running statistics in every BN layer.
     */
    public Tensor featureMap(Tensor x, boolean training) {
        List<Integer> w = config.widths();
        return switch (config.backbone()) {
            case RESNET10 -> {
                Tensor h = bn("stem.bn", conv("stem.conv", x, 1, 1), training).relu();      // (B, w0, S, S)
                int[] strides = {1, 2, 2, 2};
                for (int i = 0; i < 4; i++) {
                    String p = "layer" + (i + 1) + ".";
                    Tensor o = bn(p + "bn1", conv(p + "conv1", h, strides[i], 1), training).relu();
                    o = bn(p + "bn2", conv(p + "conv2", o, 1, 1), training);
                    Tensor shortcut = convs.containsKey(p + "downsample.conv")
                            ? bn(p + "downsample.bn", conv(p + "downsample.conv", h, strides[i], 0), training) : h;
                    h = o.add(shortcut).relu();                                          // (B, w_i, S_i, S_i)
                }
                yield h;
            }
            case RESNET12 -> {
                Tensor h = x;
                for (int i = 0; i < 4; i++) {
                    String p = "layer" + (i + 1) + ".";
                    Tensor o = bn(p + "bn1", conv(p + "conv1", h, 1, 1), training).relu();
                    o = bn(p + "bn2", conv(p + "conv2", o, 1, 1), training).relu();
                    o = bn(p + "bn3", conv(p + "conv3", o, 1, 1), training);
                    h = o.add(bn(p + "downsample.bn", conv(p + "downsample.conv", h, 1, 0), training)).relu();
                    if (i < 3 || h.size(2) > 4) h = NN.maxPool2d(h, 2, 2);                 // (B, w_i, S/2, S/2)
                }
                yield h;
            }
        };
    }

    /** Average-pooled features: {@code x (B, C_in, S, S)} → {@code (B, d)}. */
    public Tensor pooled(Tensor x, boolean training) {
        return featureMap(x, training).mean(3, false).mean(2, false);
    }

    /** Local features: {@code x (B, C_in, S, S)} → {@code (B, h·w, d)} (the authors' {@code get_feature_map}). */
    public Tensor localFeatures(Tensor x, boolean training) {
        Tensor f = featureMap(x, training);                                              // (B, d, h, w)
        return f.flatten(2, 3).transpose(1, 2).contiguous();                             // (B, h·w, d)
    }

    private Tensor conv(String name, Tensor x, long stride, long pad) { return NN.conv2d(x, convs.get(name), stride, pad); }

    private Tensor bn(String name, Tensor x, boolean training) { return norms.get(name).forward(x, training, momentum); }

    /** Which parameters train. */
    public enum Trainable { ALL, BN_ONLY, NONE }

    /** Sets {@code requires_grad} accordingly and returns the trainable tensors (BN γ, β and/or conv weights). */
    public List<Tensor> setTrainable(Trainable which) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor c : convs.values()) {
            c.requiresGrad(which == Trainable.ALL);
            if (which == Trainable.ALL) out.add(c);
        }
        for (BatchNorm2d b : norms.values()) {
            boolean on = which != Trainable.NONE;
            b.weight.requiresGrad(on);
            b.bias.requiresGrad(on);
            if (on) {
                out.add(b.weight);
                out.add(b.bias);
            }
        }
        return out;
    }

    /** Every tensor by checkpoint name (convs, then BN weight, bias, running_mean, running_var). */
    public LinkedHashMap<String, Tensor> state() {
        LinkedHashMap<String, Tensor> s = new LinkedHashMap<>(convs);
        norms.forEach((n, b) -> {
            s.put(n + ".weight", b.weight);
            s.put(n + ".bias", b.bias);
            s.put(n + ".running_mean", b.runningMean);
            s.put(n + ".running_var", b.runningVar);
        });
        return s;
    }

    /** An independent deep copy (its own kept tensors). */
    public ResNet copy() {
        ResNet m = new ResNet(config);
        m.momentum = momentum;
        try (GradMode off = GradMode.off()) {
            convs.forEach((n, t) -> m.convs.put(n, t.detach().cloneTensor().keep()));
            norms.forEach((n, b) -> m.norms.put(n, new BatchNorm2d(b.weight.detach().cloneTensor().keep(),
                    b.bias.detach().cloneTensor().keep(), b.runningMean.cloneTensor().keep(), b.runningVar.cloneTensor().keep())));
        }
        return m;
    }

    /** Overwrites every tensor of this model with {@code other}'s values (same config), e.g. to undo an adaptation. */
    public void copyFrom(ResNet other) {
        if (!other.config.equals(config)) throw new IllegalArgumentException("config " + other.config + " != " + config);
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            convs.forEach((n, t) -> t.copyFrom(other.convs.get(n)));
            norms.forEach((n, b) -> b.copyFrom(other.norms.get(n)));
        }
        momentum = other.momentum;
    }

    /** Writes the backbone as safetensors with its configuration in the metadata. */
    public void save(Path file) {
        try (Scope s = Scope.open()) {
            LinkedHashMap<String, Tensor> st = new LinkedHashMap<>();
            state().forEach((n, t) -> st.put(n, t.detach().contiguous()));
            SafetensorsWriter.write(file, st, config.toMetadata());
        }
    }

    /**
     * Loads a backbone written by {@link #save}. With {@code expected} non-null the file must hold that architecture.
     *
     * @throws BackboneCheckpointException naming the file when it is missing, not a backbone, of another architecture
     *                                     or lacks a tensor
     */
    public static ResNet load(Path file, ResNetConfig expected) {
        if (!Files.isRegularFile(file)) {
            throw new BackboneCheckpointException("backbone checkpoint " + file + " does not exist; run `frugal fewshot pretrain` first");
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            ResNetConfig cfg = ResNetConfig.fromMetadata(f.metadata(), file.toString());
            if (expected != null && !expected.equals(cfg)) {
                throw new BackboneCheckpointException("backbone checkpoint " + file + " holds " + describe(cfg)
                        + ", not the " + describe(expected) + " asked for; pass a matching --backbone or re-run pretrain");
            }
            ResNet m = new ResNet(cfg);
            m.forEachLayer((name, out, in, k) -> m.convs.put(name, read(f, file, name, new long[] {out, in, k, k})),
                    (name, c) -> m.norms.put(name, new BatchNorm2d(read(f, file, name + ".weight", new long[] {c}),
                            read(f, file, name + ".bias", new long[] {c}), read(f, file, name + ".running_mean", new long[] {c}),
                            read(f, file, name + ".running_var", new long[] {c}))));
            return m;
        } catch (IllegalArgumentException e) {
            throw new BackboneCheckpointException("backbone checkpoint " + file + " has a bad configuration: " + e.getMessage(), e);
        }
    }

    private static String describe(ResNetConfig c) {
        return c.backbone().cliName() + " (widths " + c.widths() + ", " + c.inChannels() + " channel(s), " + c.imageSize() + " px)";
    }

    private static Tensor read(SafetensorsFile f, Path file, String name, long[] shape) {
        if (!f.contains(name)) {
            throw new BackboneCheckpointException("backbone checkpoint " + file + " lacks tensor '" + name
                    + "': it was written for another architecture");
        }
        try (Scope s = Scope.open()) {
            Tensor t = f.tensor(name);
            if (!java.util.Arrays.equals(t.shape(), shape)) {
                throw new BackboneCheckpointException("backbone checkpoint " + file + ": tensor '" + name + "' has shape "
                        + java.util.Arrays.toString(t.shape()) + ", expected " + java.util.Arrays.toString(shape));
            }
            return t.cloneTensor().keep();
        }
    }

    private interface ConvVisitor { void conv(String name, long out, long in, long k); }

    private interface NormVisitor { void norm(String name, long channels); }

    /** Walks the layers in checkpoint order: the single source of the architecture's names and shapes. */
    private void forEachLayer(ConvVisitor conv, NormVisitor norm) {
        List<Integer> w = config.widths();
        long cin = config.inChannels();
        if (config.backbone() == Backbone.RESNET10) {
            conv.conv("stem.conv", w.get(0), cin, 3);
            norm.norm("stem.bn", w.get(0));
            cin = w.get(0);
        }
        int[] strides = {1, 2, 2, 2};
        for (int i = 0; i < 4; i++) {
            String p = "layer" + (i + 1) + ".";
            long c = w.get(i);
            int convsPerBlock = config.backbone() == Backbone.RESNET10 ? 2 : 3;
            for (int j = 1; j <= convsPerBlock; j++) {
                conv.conv(p + "conv" + j, c, j == 1 ? cin : c, 3);
                norm.norm(p + "bn" + j, c);
            }
            boolean shortcut = config.backbone() == Backbone.RESNET12 || strides[i] != 1 || cin != c;
            if (shortcut) {
                conv.conv(p + "downsample.conv", c, cin, 1);
                norm.norm(p + "downsample.bn", c);
            }
            cin = c;
        }
    }

    @Override
    public void close() {
        convs.values().forEach(Tensor::close);
        norms.values().forEach(b -> {
            b.weight.close();
            b.bias.close();
            b.runningMean.close();
            b.runningVar.close();
        });
    }

    /** Number of trainable parameters (convs and BN affine). */
    public long parameterCount() {
        long n = 0;
        for (Tensor c : convs.values()) n += c.numel();
        for (BatchNorm2d b : norms.values()) n += 2 * b.weight.numel();
        return n;
    }

    Map<String, BatchNorm2d> norms() { return norms; }
}
