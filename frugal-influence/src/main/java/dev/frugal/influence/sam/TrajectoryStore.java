package dev.frugal.influence.sam;

import dev.frugal.influence.InfluenceInputException;
import dev.frugal.influence.model.ModelSpec;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A trained model and its trajectory on disk, every file written atomically (safetensors through
 * {@link SafetensorsWriter}): {@code model.safetensors} holds θ* and the training settings,
 * {@code ckpt-NNNNNNNN.safetensors} holds θ_t, the perturbation point's offset ε_t {@code (B, P)} of that step's
 * batch (row j: the ε example j was evaluated at), the learning rate and the interval.
 */
public final class TrajectoryStore {
    private TrajectoryStore() {}

    static void writeCheckpoint(Path dir, Checkpoint c, Tensor perturbation, ModelSpec spec) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        try (Scope s = Scope.open()) {
            Files.createDirectories(dir);
            t.put("theta", Tensors.fromDoubles(c.theta(), c.theta().length));
            if (perturbation != null) t.put("perturbation", perturbation.detach().to(DType.F32).contiguous());
            Map<String, String> meta = new HashMap<>(spec.metadata());
            meta.put("step", Long.toString(c.step()));
            meta.put("lr", Double.toString(c.lr()));
            meta.put("interval", Long.toString(c.interval()));
            SafetensorsWriter.write(dir.resolve(String.format("ckpt-%08d.safetensors", c.step())), t, meta);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** Writes θ* and the training settings to {@code dir/model.safetensors} (checkpoints are written while training). */
    public static void save(Path dir, TrainedModel m) { save(dir, m, Map.of()); }

    /** {@link #save(Path, TrainedModel)} with {@code extra} metadata (e.g. where the data came from). */
    public static void save(Path dir, TrainedModel m, Map<String, String> extra) {
        try (Scope s = Scope.open()) {
            Files.createDirectories(dir);
            Map<String, String> meta = new HashMap<>(extra);
            meta.putAll(m.spec().metadata());
            meta.put("rho", Double.toString(m.sam().rho()));
            meta.put("adaptive", Boolean.toString(m.sam().adaptive()));
            meta.put("adaptive_eta", Double.toString(m.sam().adaptiveEta()));
            meta.put("micro_batch", Integer.toString(m.sam().microBatch()));
            meta.put("weight_decay", Double.toString(m.weightDecay()));
            meta.put("grad_norm", Double.toString(m.gradNorm()));
            meta.put("steps", Long.toString(m.steps()));
            meta.put("data", m.dataFingerprint());
            SafetensorsWriter.write(dir.resolve("model.safetensors"),
                    Map.of("theta", Tensors.fromDoubles(m.theta(), m.theta().length)), meta);
            for (Checkpoint c : m.trajectory()) {
                Path f = dir.resolve(String.format("ckpt-%08d.safetensors", c.step()));
                if (!Files.exists(f)) writeCheckpoint(dir, c, null, m.spec());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /**
     * Loads a model saved by {@link #save} with its checkpoints, refusing one that does not belong to {@code data}.
     *
     * @param dataFingerprint the training set's fingerprint, or null to skip that check
     * @throws InfluenceInputException when files are missing, a checkpoint's model differs from the model's, or the
     *                                 model was trained on other data
     */
    public static TrainedModel load(Path dir, String dataFingerprint) {
        Path f = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(f)) {
            throw new InfluenceInputException("--model " + dir + ": no model.safetensors there; run 'frugal influence"
                    + " train --out " + dir + "' first");
        }
        try (Scope s = Scope.open(); SafetensorsFile sf = SafetensorsFile.open(f)) {
            Map<String, String> m = sf.metadata();
            ModelSpec spec = ModelSpec.fromMetadata(m);
            if (dataFingerprint != null && !dataFingerprint.equals(m.get("data"))) {
                throw new InfluenceInputException("--model " + dir + " was trained on other data (fingerprint "
                        + m.get("data") + ", this training set " + dataFingerprint + "): pass the same --data, --label"
                        + " and split options as at training, or train again");
            }
            double[] theta = sf.tensor("theta", DType.F64).toDoubleArray();
            SamConfig sam = new SamConfig(Double.parseDouble(m.get("rho")), Boolean.parseBoolean(m.get("adaptive")),
                    Double.parseDouble(m.get("adaptive_eta")), Integer.parseInt(m.get("micro_batch")));
            List<Checkpoint> traj = new ArrayList<>();
            List<Path> files;
            try (Stream<Path> st = Files.list(dir)) {
                files = st.filter(p -> p.getFileName().toString().matches("ckpt-\\d{8}\\.safetensors")).sorted()
                        .toList();
            }
            for (Path cf : files) {
                try (SafetensorsFile c = SafetensorsFile.open(cf)) {
                    ModelSpec cs = ModelSpec.fromMetadata(c.metadata());
                    double[] ct = c.tensor("theta", DType.F64).toDoubleArray();
                    if (!cs.equals(spec) || ct.length != theta.length) {
                        throw new InfluenceInputException("checkpoint " + cf + " is of a " + cs + " with " + ct.length
                                + " parameters but the model is a " + spec + " with " + theta.length
                                + ": remove stale checkpoints from " + dir + " or train into an empty directory");
                    }
                    traj.add(new Checkpoint(Long.parseLong(c.metadata().get("step")),
                            Double.parseDouble(c.metadata().get("lr")),
                            Long.parseLong(c.metadata().get("interval")), ct));
                }
            }
            return new TrainedModel(spec, theta, sam, Double.parseDouble(m.get("weight_decay")),
                    Double.parseDouble(m.get("grad_norm")), Long.parseLong(m.get("steps")), m.get("data"), traj);
        } catch (IOException e) {
            throw new InfluenceInputException("--model " + dir + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The metadata of {@code dir/model.safetensors}. */
    public static Map<String, String> metadata(Path dir) {
        Path f = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(f)) {
            throw new InfluenceInputException("--model " + dir + ": no model.safetensors there; run 'frugal influence"
                    + " train --out " + dir + "' first");
        }
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            return Map.copyOf(sf.metadata());
        }
    }

    /** The saved perturbation ε_t {@code (B, P)} of the checkpoint at {@code step}, or null when none was saved. */
    public static Tensor perturbation(Path dir, long step) {
        try (SafetensorsFile c = SafetensorsFile.open(dir.resolve(String.format("ckpt-%08d.safetensors", step)))) {
            return c.contains("perturbation") ? c.tensor("perturbation") : null;
        }
    }
}
