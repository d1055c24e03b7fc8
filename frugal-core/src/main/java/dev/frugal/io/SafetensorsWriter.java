package dev.frugal.io;

import dev.frugal.io.SafetensorsException.Kind;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Writes safetensors files atomically (see {@link AtomicFile}): the bytes go to a temporary file in the same
 * directory, are forced to disk, and the file is renamed over the target, so a crash leaves either the old file or
 * the complete new one. The header is padded so that the data section starts 8-byte aligned, like Python's writer.
 */
public final class SafetensorsWriter {
    /** Shard file names Hugging Face writes: {@code model-00001-of-00003.safetensors}. */
    static final Pattern SHARD_NAME = Pattern.compile("model-(\\d{5})-of-(\\d{5})\\.safetensors");
    /** Metadata key tying shards to the index of the same {@link #writeSharded} call (a UUID). */
    public static final String SAVE_ID = "frugal_save_id";

    private SafetensorsWriter() {}

    /**
     * Writes {@code tensors} (in map order; CPU or device, any layout) with {@code metadata} to {@code path}.
     *
     * @param metadata {@code __metadata__} strings, e.g. {@code {"format": "pt"}}; may be empty
     * @throws SafetensorsException ({@link Kind#UNSUPPORTED}) for a reserved name or a dtype safetensors cannot store,
     *                              ({@link Kind#IO}) when the file cannot be written; the target is then untouched
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        List<TensorInfo> layout = layout(path, tensors);
        byte[] header = SafetensorsHeader.encode(layout, checkMetadata(path, metadata));
        long dataBytes = layout.isEmpty() ? 0 : layout.getLast().end();
        AtomicFile f = null;
        try {
            f = AtomicFile.stage(path);
            writeData(f.tmp(), header, dataBytes, tensors.values());
            f.commit();
            f = null;
        } catch (IOException e) {
            throw new SafetensorsException(path, "cannot write: " + e, e);
        } finally {
            if (f != null) f.discard();
        }
    }

    /** Where {@link #writeStreaming} puts each tensor's bytes: any order, each tensor once. */
    @FunctionalInterface
    public interface TensorSink {
        /**
         * Writes {@code tensor} as the entry {@code name} of the layout.
         *
         * @throws IllegalArgumentException for a name not in the layout, written twice, or another dtype or shape
         */
        void put(String name, Tensor tensor);

        /**
         * Writes elements {@code from .. from + part.numel() − 1} of entry {@code name} (its data in row-major order)
         * from {@code part}, of the entry's dtype: for an entry too large to hold whole in memory. The parts of an
         * entry come in order, from element 0; the entry is written once they cover it.
         *
         * @throws IllegalArgumentException for a name not in the layout, another dtype, a part out of order or past
         *                                  the entry's end
         * @throws UnsupportedOperationException where the sink takes whole tensors only
         */
        default void putPart(String name, long from, Tensor part) {
            throw new UnsupportedOperationException("this sink takes whole tensors only (" + name + ")");
        }
    }

    /**
     * Writes a safetensors file whose tensors are produced one at a time: the header from {@code layout} (name → dtype
     * and shape, data in that order), then whatever {@code fill} puts into the sink, each tensor's bytes written
     * through a mapping of its own range, forced and unmapped at once, so that neither the tensors nor the file's pages
     * accumulate in memory (a checkpoint larger than RAM, written block by block). Atomic like {@link #write}: the
     * target appears only once every entry was written.
     *
     * @param layout the entries, in the order of their data in the file
     * @throws SafetensorsException as {@link #write}, and ({@link Kind#UNSUPPORTED}) when {@code fill} left an entry
     *                              unwritten; the target is then untouched
     */
    public static void writeStreaming(Path path, List<Entry> layout, Map<String, String> metadata,
                                      java.util.function.Consumer<TensorSink> fill) {
        List<TensorInfo> infos = infos(path, layout);
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : infos) byName.put(t.name(), t);
        byte[] header = SafetensorsHeader.encode(infos, checkMetadata(path, metadata));
        long base = 8 + header.length, total = base + (infos.isEmpty() ? 0 : infos.getLast().end());
        java.util.Set<String> written = new java.util.HashSet<>();
        AtomicFile f = null;
        try {
            f = AtomicFile.stage(path);
            try (FileChannel ch = FileChannel.open(f.tmp(), StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, base, arena);
                    putHeader(m, header);
                    m.force();
                }
                if (total > base) {
                    ch.position(total - 1);
                    ch.write(java.nio.ByteBuffer.wrap(new byte[1])); // the file's full length, before any mapping
                }
                Map<String, Long> partial = new java.util.HashMap<>(); // entry → elements written by putPart so far
                fill.accept(new TensorSink() {
                    @Override
                    public void put(String name, Tensor tensor) {
                        TensorInfo t = unwritten(name);
                        if (partial.containsKey(name))
                            throw new IllegalArgumentException("'" + name + "' written twice to " + path);
                        written.add(name);
                        if (tensor.dtype() != t.dtype() || !java.util.Arrays.equals(tensor.shape(), t.shape()))
                            throw new IllegalArgumentException("'" + name + "' is " + tensor.dtype() + " "
                                    + java.util.Arrays.toString(tensor.shape()) + " but the layout says " + t.dtype() + " "
                                    + java.util.Arrays.toString(t.shape()));
                        copy(tensor, base + t.begin(), t.end() - t.begin());
                    }

                    @Override
                    public void putPart(String name, long from, Tensor part) {
                        TensorInfo t = unwritten(name);
                        long numel = Tensors.numel(t.shape()), done = partial.getOrDefault(name, 0L), n = part.numel();
                        if (part.dtype() != t.dtype()) throw new IllegalArgumentException("'" + name + "' is "
                                + t.dtype() + " in the layout, its part " + part.dtype());
                        if (from != done || n < 1 || from + n > numel) throw new IllegalArgumentException("part of '"
                                + name + "' at element " + from + " (" + n + " elements): expected the part at " + done
                                + " of " + numel);
                        long size = t.dtype().bytes();
                        copy(part, base + t.begin() + from * size, n * size);
                        if (from + n == numel) {
                            partial.remove(name);
                            written.add(name);
                        } else partial.put(name, from + n);
                    }

                    /** The layout's entry {@code name}, not written whole yet. */
                    private TensorInfo unwritten(String name) {
                        TensorInfo t = byName.get(name);
                        if (t == null) throw new IllegalArgumentException("'" + name + "' is not in the layout of " + path);
                        if (written.contains(name)) throw new IllegalArgumentException("'" + name + "' written twice to " + path);
                        return t;
                    }

                    /** {@code tensor}'s bytes to {@code len} bytes of the file at {@code at}, through a mapping of their own. */
                    private void copy(Tensor tensor, long at, long len) {
                        if (len == 0) return;
                        try (Arena arena = Arena.ofConfined()) {
                            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, at, len, arena);
                            tensor.copyBytesTo(m);
                            m.force();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
                ch.force(true);
            }
            if (written.size() != infos.size()) {
                List<String> missing = new ArrayList<>();
                for (TensorInfo t : infos) if (!written.contains(t.name())) missing.add(t.name());
                throw new SafetensorsException(path, Kind.UNSUPPORTED, missing.size() + " tensor(s) of the layout were"
                        + " never written, e.g. '" + missing.getFirst() + "'");
            }
            f.commit();
            f = null;
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new SafetensorsException(path, "cannot write: " + e, e);
        } finally {
            if (f != null) f.discard();
        }
    }

    /** One entry of {@link #writeStreaming}'s layout. */
    public record Entry(String name, DType dtype, long[] shape) {
        public Entry {
            shape = shape.clone();
        }

        /** The entry of a tensor like {@code t}. */
        public static Entry of(String name, Tensor t) { return new Entry(name, t.dtype(), t.shape()); }
    }

    /**
     * Writes a Hugging Face sharded checkpoint into {@code dir}: tensors in map order are packed greedily into shards
     * of at most {@code maxShardBytes} data bytes (a tensor larger than that gets a shard of its own), named
     * {@code model-0000K-of-0000N.safetensors}, plus {@code model.safetensors.index.json} with {@code total_size} and
     * the weight map. As in {@code save_pretrained}, a checkpoint that fits one shard is written as plain
     * {@code model.safetensors} without an index.
     *
     * <p>Crash safety: every shard is staged under a temporary name and forced to disk before any is renamed into
     * place; the index is renamed last and is the commit point. Each shard and the index carry the same
     * {@value #SAVE_ID}, so {@link Checkpoint#open} refuses a mix of shards from two saves that an interrupted
     * rewrite could leave. Afterwards stale files of an earlier save ({@code model.safetensors}, shards of another
     * count) are deleted.
     *
     * @return the files written, index last
     * @throws SafetensorsException as {@link #write}
     */
    public static List<Path> writeSharded(Path dir, Map<String, Tensor> tensors, long maxShardBytes,
                                          Map<String, String> metadata) {
        if (maxShardBytes <= 0) throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        Path index = dir.resolve(Checkpoint.INDEX);
        Map<String, String> meta = checkMetadata(index, metadata);
        List<Map<String, Tensor>> shards = plan(tensors, maxShardBytes, dir);
        if (shards.size() == 1) {
            Path single = dir.resolve(Checkpoint.SINGLE);
            write(single, tensors, meta);
            deleteStale(dir, List.of(single));
            return List.of(single);
        }
        String saveId = UUID.randomUUID().toString();
        Map<String, String> shardMeta = new LinkedHashMap<>(meta);
        shardMeta.put(SAVE_ID, saveId);
        List<AtomicFile> staged = new ArrayList<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        long total = 0;
        try {
            for (int k = 0; k < shards.size(); k++) {
                String name = String.format("model-%05d-of-%05d.safetensors", k + 1, shards.size());
                Map<String, Tensor> part = shards.get(k);
                List<TensorInfo> layout = layout(dir.resolve(name), part);
                AtomicFile f = AtomicFile.stage(dir.resolve(name));
                staged.add(f);
                long bytes = layout.isEmpty() ? 0 : layout.getLast().end();
                writeData(f.tmp(), SafetensorsHeader.encode(layout, shardMeta), bytes, part.values());
                for (String n : part.keySet()) weightMap.put(n, name);
                total += bytes;
            }
            Map<String, String> indexMeta = new LinkedHashMap<>();
            indexMeta.put("total_size", Long.toString(total));
            indexMeta.put(SAVE_ID, saveId);
            AtomicFile idx = AtomicFile.stage(index);
            staged.add(idx);
            idx.writeAndForce(new ShardIndex(weightMap, indexMeta).toJson());
            for (AtomicFile f : staged) f.commit(); // index last: the commit point
            staged.clear();
        } catch (IOException e) {
            throw new SafetensorsException(dir, "cannot write the sharded checkpoint: " + e, e);
        } finally {
            staged.forEach(AtomicFile::discard);
        }
        List<Path> written = new ArrayList<>();
        for (int k = 0; k < shards.size(); k++)
            written.add(dir.resolve(String.format("model-%05d-of-%05d.safetensors", k + 1, shards.size())));
        written.add(index);
        deleteStale(dir, written);
        return written;
    }

    /** Greedy packing in map order, as {@code save_pretrained} does. */
    private static List<Map<String, Tensor>> plan(Map<String, Tensor> tensors, long maxShardBytes, Path dir) {
        List<Map<String, Tensor>> shards = new ArrayList<>();
        Map<String, Tensor> current = new LinkedHashMap<>();
        long size = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long n = e.getValue().nbytes();
            if (!current.isEmpty() && size + n > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                size = 0;
            }
            current.put(e.getKey(), e.getValue());
            size += n;
        }
        if (!current.isEmpty() || shards.isEmpty()) shards.add(current);
        if (shards.size() > 99_999) throw new SafetensorsException(dir, Kind.UNSUPPORTED, shards.size()
                + " shards exceed the 5-digit shard names: raise maxShardBytes");
        return shards;
    }

    /** Removes model.safetensors, the index and model-*-of-*.safetensors files that are not in {@code keep}. */
    private static void deleteStale(Path dir, List<Path> keep) {
        List<Path> stale = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals(Checkpoint.SINGLE) || n.equals(Checkpoint.INDEX) || SHARD_NAME.matcher(n).matches();
            }).filter(p -> !keep.contains(p)).forEach(stale::add);
            for (Path p : stale) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new SafetensorsException(dir, "wrote the new checkpoint but could not delete stale files " + stale
                    + ": " + e + ". Delete them by hand", e);
        }
    }

    /** Header entries with offsets assigned in list order; checks names (reserved, null, repeated). */
    private static List<TensorInfo> infos(Path path, List<Entry> entries) {
        List<TensorInfo> out = new ArrayList<>(entries.size());
        java.util.Set<String> seen = new java.util.HashSet<>();
        long off = 0;
        for (Entry e : entries) {
            if (e.name() == null || e.name().equals(SafetensorsHeader.METADATA_KEY))
                throw new SafetensorsException(path, Kind.UNSUPPORTED, "tensor name " + e.name() + " is reserved or null");
            if (!seen.add(e.name()))
                throw new SafetensorsException(path, Kind.UNSUPPORTED, "tensor '" + e.name() + "' is listed twice");
            long len = Math.multiplyExact(Tensors.numel(e.shape()), e.dtype().bytes());
            out.add(new TensorInfo(e.name(), e.dtype(), e.shape(), off, off + len));
            off += len;
        }
        return out;
    }

    /** The header length and the header, at the start of {@code m}. */
    private static void putHeader(MemorySegment m, byte[] header) {
        m.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, header.length);
        MemorySegment.copy(header, 0, m, ValueLayout.JAVA_BYTE, 8, header.length);
    }

    /** Header entries with offsets assigned in map order; checks names and dtypes. */
    private static List<TensorInfo> layout(Path path, Map<String, Tensor> tensors) {
        List<Entry> entries = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (e.getValue() == null || !e.getValue().defined())
                throw new SafetensorsException(path, Kind.UNSUPPORTED, "tensor '" + name + "' is null, undefined or"
                        + " already freed");
            DType dtype;
            try {
                dtype = e.getValue().dtype();
            } catch (IllegalStateException ex) {
                throw new SafetensorsException(path, Kind.UNSUPPORTED, "tensor '" + name + "': " + ex.getMessage()
                        + "; convert it to one of F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL first", ex);
            }
            entries.add(new Entry(name, dtype, e.getValue().shape()));
        }
        return infos(path, entries); // names checked there
    }

    private static Map<String, String> checkMetadata(Path path, Map<String, String> metadata) {
        Map<String, String> m = new LinkedHashMap<>();
        if (metadata == null) return m;
        metadata.forEach((k, v) -> {
            if (k == null || v == null) throw new SafetensorsException(path, Kind.UNSUPPORTED, "metadata entry " + k
                    + " = " + v + ": safetensors metadata holds non-null strings only");
            m.put(k, v);
        });
        return m;
    }

    /** Header length, header, then each tensor's bytes, through a read-write mapping forced to disk. */
    private static void writeData(Path tmp, byte[] header, long dataBytes, Iterable<Tensor> tensors) throws IOException {
        long total = 8 + header.length + dataBytes;
        try (Arena arena = Arena.ofConfined();
             FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
            putHeader(m, header);
            long pos = 8 + header.length;
            for (Tensor t : tensors) {
                long len = t.nbytes();
                t.copyBytesTo(m.asSlice(pos, len));
                pos += len;
            }
            m.force();
        }
    }
}
