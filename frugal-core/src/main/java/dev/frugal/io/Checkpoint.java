package dev.frugal.io;

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
 * {@code model.safetensors.index.json}. Tensor names map to the file that holds them.
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
     * @throws SafetensorsException when neither file exists, a shard is missing or corrupt, or a name repeats
     */
    public static Checkpoint open(Path dir) {
        Path single = dir.resolve(SINGLE), index = dir.resolve(INDEX);
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            if (Files.isRegularFile(index)) {
                for (Path shard : ShardIndex.read(index).shardFiles()) files.add(SafetensorsFile.open(dir.resolve(shard)));
            } else if (Files.isRegularFile(single)) {
                files.add(SafetensorsFile.open(single));
            } else {
                throw new SafetensorsException(dir, "no " + SINGLE + " or " + INDEX + " here: is this a Hugging Face"
                        + " model directory? (PyTorch .bin checkpoints must be converted to safetensors first)");
            }
            for (SafetensorsFile f : files) {
                for (String n : f.names()) {
                    SafetensorsFile prev = byName.put(n, f);
                    if (prev != null) throw new SafetensorsException(f.path(), "tensor '" + n + "' also appears in "
                            + prev.path().getFileName());
                }
            }
            if (Files.isRegularFile(index)) ShardIndex.read(index).checkAgainst(byName.keySet(), index);
            return new Checkpoint(dir, files, byName);
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    public Path dir() { return dir; }

    /** All tensor names. */
    public List<String> names() { return List.copyOf(byName.keySet()); }

    public boolean contains(String name) { return byName.containsKey(name); }

    public TensorInfo info(String name) { return file(name).info(name); }

    /** A CPU copy of {@code name} converted to {@code dtype}. */
    public Tensor tensor(String name, DType dtype) { return file(name).tensor(name, dtype); }

    /** A CPU copy of {@code name} in its stored dtype. */
    public Tensor tensor(String name) { return file(name).tensor(name); }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) throw new SafetensorsException(dir, "checkpoint has no tensor '" + name + "'");
        return f;
    }

    @Override
    public void close() { files.forEach(SafetensorsFile::close); }
}
