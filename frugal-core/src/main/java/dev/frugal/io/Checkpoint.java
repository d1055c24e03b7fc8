package dev.frugal.io;

import dev.frugal.io.SafetensorsException.Kind;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Hugging Face model directory: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json} (the single file wins when both exist, as in {@code from_pretrained}).
 * Opening validates every shard's header and the index against the shards, so a mismatch fails here with a
 * {@link SafetensorsException} whose {@link SafetensorsException#kind() kind} says what is wrong.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName;

    private Checkpoint(Path dir, List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
        this.dir = dir;
        this.files = files;
        this.byName = byName;
    }

    /**
     * Opens the weights in {@code dir}.
     *
     * @throws SafetensorsException when neither file exists ({@link Kind#IO}), the index is malformed
     *                              ({@link Kind#BAD_INDEX}), a shard is missing ({@link Kind#MISSING_SHARD}) or corrupt
     *                              (its own kind), a name repeats across shards ({@link Kind#DUPLICATE_TENSOR}), or the
     *                              index and shards disagree ({@link Kind#INDEX_MISMATCH})
     */
    public static Checkpoint open(Path dir) {
        Path single = dir.resolve(SINGLE), index = dir.resolve(INDEX);
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            if (Files.isRegularFile(single)) {
                SafetensorsFile f = SafetensorsFile.open(single);
                files.add(f);
                Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
                for (String n : f.names()) byName.put(n, f);
                return new Checkpoint(dir, files, byName);
            }
            if (!Files.isRegularFile(index))
                throw new SafetensorsException(dir, Kind.IO, "no " + SINGLE + " or " + INDEX + " here: is this a"
                        + " Hugging Face model directory? (PyTorch .bin checkpoints must be converted to safetensors first)");
            ShardIndex idx = ShardIndex.read(index);
            for (Path shard : idx.shardFiles()) {
                Path p = dir.resolve(shard);
                if (!Files.exists(p)) throw new SafetensorsException(index, Kind.MISSING_SHARD, "shard " + shard
                        + " (holding " + idx.namesIn(shard.toString()).size() + " tensors, e.g. '"
                        + idx.namesIn(shard.toString()).getFirst() + "') is missing from " + dir
                        + ": download or copy it again");
                files.add(SafetensorsFile.open(p));
            }
            return new Checkpoint(dir, files, checkAgainstIndex(index, idx, files));
        } catch (RuntimeException | Error e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** Every shard name in exactly one shard, and in the shard the index says; shards from the same save. */
    private static Map<String, SafetensorsFile> checkAgainstIndex(Path index, ShardIndex idx, List<SafetensorsFile> files) {
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        for (SafetensorsFile f : files) {
            for (String n : f.names()) {
                SafetensorsFile prev = byName.putIfAbsent(n, f);
                if (prev != null) throw new SafetensorsException(f.path(), Kind.DUPLICATE_TENSOR, "tensor '" + n
                        + "' also appears in " + prev.path().getFileName() + ": a name must live in exactly one shard");
                if (!idx.weightMap().containsKey(n)) throw new SafetensorsException(index, Kind.INDEX_MISMATCH,
                        "shard " + f.path().getFileName() + " holds tensor '" + n + "' that the weight_map does not"
                        + " list: the index is stale, regenerate it");
            }
        }
        for (Map.Entry<String, String> e : idx.weightMap().entrySet()) {
            SafetensorsFile holder = byName.get(e.getKey());
            if (holder == null || !holder.path().getFileName().toString().equals(e.getValue()))
                throw new SafetensorsException(index, Kind.INDEX_MISMATCH, "weight_map places tensor '" + e.getKey()
                        + "' in " + e.getValue() + " but that shard does not hold it" + (holder == null ? ""
                        : " (it is in " + holder.path().getFileName() + ")") + ": the index and shards disagree");
        }
        String saveId = idx.metadata().get(SafetensorsWriter.SAVE_ID);
        if (saveId != null)
            for (SafetensorsFile f : files)
                if (!saveId.equals(f.metadata().get(SafetensorsWriter.SAVE_ID)))
                    throw new SafetensorsException(f.path(), Kind.INDEX_MISMATCH, "shard was written by another save"
                            + " than " + INDEX + " (" + SafetensorsWriter.SAVE_ID + " differs): an interrupted"
                            + " rewrite mixed two checkpoints; save the model again");
        return byName;
    }

    public Path dir() { return dir; }

    /** All tensor names. */
    public List<String> names() { return List.copyOf(byName.keySet()); }

    public boolean contains(String name) { return byName.containsKey(name); }

    public TensorInfo info(String name) { return file(name).info(name); }

    /** A CPU copy of {@code name} converted to {@code dtype}. */
    public Tensor tensor(String name, DType dtype) { return file(name).tensor(name, dtype); }

    /** A CPU copy of rows {@code start .. start+count-1} of {@code name} converted to {@code dtype}. */
    public Tensor rows(String name, long start, long count, DType dtype) {
        return file(name).rows(name, start, count, dtype);
    }

    /** A CPU copy of {@code name} in its stored dtype. */
    public Tensor tensor(String name) { return file(name).tensor(name); }

    /** Whether stored tensor {@code name} holds exactly {@code t}'s values (see {@link SafetensorsFile#matches}). */
    public boolean matches(String name, Tensor t) { return file(name).matches(name, t); }

    /** The files opened: the single file, or the shards in index order. */
    public List<Path> files() { return files.stream().map(SafetensorsFile::path).toList(); }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) throw new SafetensorsException(dir, Kind.NO_SUCH_TENSOR, "checkpoint has no tensor '" + name
                + "'");
        return f;
    }

    @Override
    public void close() { files.forEach(SafetensorsFile::close); }
}
