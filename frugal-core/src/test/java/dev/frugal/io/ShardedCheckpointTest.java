package dev.frugal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.io.SafetensorsException.Kind;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face sharded checkpoints: writeSharded → Checkpoint.open, and every way index and shards can disagree. */
class ShardedCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String S1 = "model-00001-of-00003.safetensors", S2 = "model-00002-of-00003.safetensors",
            S3 = "model-00003-of-00003.safetensors";

    @TempDir
    Path dir;
    private Scope scope;
    private Map<String, Tensor> tensors;

    /** Six tensors of 64 data bytes (F32 [4, 4], BF16 [32], I64 [8], ...): at 150 bytes per shard, two per shard. */
    @BeforeEach
    void sixTensors() {
        scope = Scope.open();
        Rng rng = Rng.seeded("shards", 7);
        tensors = new LinkedHashMap<>();
        tensors.put("embed.weight", Tensors.randn(rng, 4, 4));
        tensors.put("layers.0.w", Tensors.randn(rng, DType.BF16, dev.frugal.tensor.Device.CPU, 32));
        tensors.put("layers.0.ids", Tensors.randint(0, 1000, rng, 8));
        tensors.put("layers.1.w", Tensors.randn(rng, DType.F16, dev.frugal.tensor.Device.CPU, 2, 16));
        tensors.put("layers.1.mask", Tensors.randint(0, 2, rng, 64).to(DType.BOOL));
        tensors.put("head.w", Tensors.randn(rng, DType.F64, dev.frugal.tensor.Device.CPU, 8));
    }

    @AfterEach
    void closeScope() { scope.close(); }

    private List<Path> writeThreeShards() {
        return SafetensorsWriter.writeSharded(dir, tensors, 150, Map.of("format", "pt"));
    }

    @Test
    void threeShardsWriteAndLoadThroughCheckpointOpen() throws IOException {
        List<Path> written = writeThreeShards();
        assertEquals(List.of(dir.resolve(S1), dir.resolve(S2), dir.resolve(S3), dir.resolve(Checkpoint.INDEX)), written);
        JsonNode index = JSON.readTree(dir.resolve(Checkpoint.INDEX).toFile());
        assertTrue(index.get("metadata").get("total_size").isIntegralNumber(), "total_size is a number, as in HF");
        assertEquals(6 * 64, index.get("metadata").get("total_size").asLong());
        assertEquals(S2, index.get("weight_map").get("layers.0.ids").asText());
        assertEquals(S3, index.get("weight_map").get("head.w").asText());
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(List.copyOf(tensors.keySet()), c.names());
            assertEquals(written.subList(0, 3), c.files());
            for (var e : tensors.entrySet()) {
                Tensor back = c.tensor(e.getKey());
                assertEquals(e.getValue().dtype(), back.dtype(), e.getKey());
                assertArrayEquals(e.getValue().toByteArray(), back.toByteArray(), e.getKey());
            }
        }
        try (SafetensorsFile shard = SafetensorsFile.open(dir.resolve(S2))) {
            assertEquals("pt", shard.metadata().get("format"), "user metadata goes into every shard");
        }
    }

    @Test
    void oneShardIsPlainModelSafetensorsAndStaleFilesGo() throws IOException {
        writeThreeShards();
        Files.writeString(dir.resolve("model-00009-of-00009.safetensors"), "stale");
        Files.writeString(dir.resolve("config.json"), "{}");
        assertEquals(List.of(dir.resolve(Checkpoint.SINGLE)), SafetensorsWriter.writeSharded(dir, tensors, 1 << 20,
                Map.of()));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("config.json", Checkpoint.SINGLE), files.map(p -> p.getFileName().toString()).sorted()
                    .toList(), "old shards and index removed, other files kept");
        }
        // and back to shards: the now stale single file must go, or it would win over the index
        writeThreeShards();
        assertFalse(Files.exists(dir.resolve(Checkpoint.SINGLE)));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(3, c.files().size());
        }
    }

    @Test
    void aTensorLargerThanTheLimitGetsItsOwnShard() {
        List<Path> written = SafetensorsWriter.writeSharded(dir, tensors, 10, Map.of());
        assertEquals(7, written.size(), "6 shards + index");
        assertEquals("model-00006-of-00006.safetensors", written.get(5).getFileName().toString());
    }

    @Test
    void missingShard() throws IOException {
        writeThreeShards();
        Files.delete(dir.resolve(S2));
        SafetensorsException e = assertOpenFails(Kind.MISSING_SHARD);
        assertMessage(e, Checkpoint.INDEX, "shard " + S2, "is missing");
    }

    @Test
    void nameInIndexButNotInShard() throws IOException {
        writeThreeShards();
        editIndex(wm -> wm.put("ghost.weight", S1));
        assertMessage(assertOpenFails(Kind.INDEX_MISMATCH), Checkpoint.INDEX, "'ghost.weight' in " + S1,
                "does not hold it");
    }

    @Test
    void indexPointsToTheWrongShard() throws IOException {
        writeThreeShards();
        editIndex(wm -> wm.put("head.w", S1));
        assertMessage(assertOpenFails(Kind.INDEX_MISMATCH), Checkpoint.INDEX, "'head.w' in " + S1, "(it is in " + S3);
    }

    @Test
    void shardTensorMissingFromIndex() throws IOException {
        writeThreeShards();
        editIndex(wm -> wm.remove("layers.1.mask"));
        assertMessage(assertOpenFails(Kind.INDEX_MISMATCH), Checkpoint.INDEX, S3 + " holds tensor 'layers.1.mask'",
                "does not list");
    }

    @Test
    void duplicateNameAcrossShards() throws IOException {
        writeThreeShards();
        String saveId;
        try (SafetensorsFile s2 = SafetensorsFile.open(dir.resolve(S2))) {
            saveId = s2.metadata().get(SafetensorsWriter.SAVE_ID);
        }
        Map<String, Tensor> s2 = new LinkedHashMap<>();
        s2.put("layers.0.ids", tensors.get("layers.0.ids"));
        s2.put("layers.1.w", tensors.get("layers.1.w"));
        s2.put("embed.weight", tensors.get("embed.weight")); // also in shard 1
        SafetensorsWriter.write(dir.resolve(S2), s2, Map.of(SafetensorsWriter.SAVE_ID, saveId));
        SafetensorsException e = assertOpenFails(Kind.DUPLICATE_TENSOR);
        assertMessage(e, S2, "'embed.weight' also appears in " + S1);
    }

    @Test
    void shardFromAnotherSaveIsRefused() {
        writeThreeShards();
        Map<String, Tensor> s2 = new LinkedHashMap<>();
        s2.put("layers.0.ids", tensors.get("layers.0.ids"));
        s2.put("layers.1.w", tensors.get("layers.1.w"));
        SafetensorsWriter.write(dir.resolve(S2), s2, Map.of(SafetensorsWriter.SAVE_ID, "another-save"));
        assertMessage(assertOpenFails(Kind.INDEX_MISMATCH), S2, "written by another save", "interrupted");
    }

    @Test
    void huggingFaceIndexWithoutSaveIdLoads() throws IOException {
        writeThreeShards();
        ObjectNode root = (ObjectNode) JSON.readTree(dir.resolve(Checkpoint.INDEX).toFile());
        ((ObjectNode) root.get("metadata")).remove(SafetensorsWriter.SAVE_ID);
        Files.writeString(dir.resolve(Checkpoint.INDEX), root.toString());
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(6, c.names().size());
        }
    }

    @Test
    void malformedIndexes() throws IOException {
        writeThreeShards();
        Path index = dir.resolve(Checkpoint.INDEX);
        for (String bad : List.of("not json", "[]", "{\"metadata\":{}}", "{\"weight_map\":{}}",
                "{\"weight_map\":{\"a\":3}}", "{\"weight_map\":{\"a\":\"../../etc/passwd\"}}",
                "{\"weight_map\":{\"a\":\"" + S1 + "\",\"a\":\"" + S2 + "\"}}")) {
            Files.writeString(index, bad);
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> Checkpoint.open(dir).close(), bad);
            assertEquals(Kind.BAD_INDEX, e.kind(), bad + " -> " + e.getMessage());
            assertTrue(e.getMessage().startsWith(index + ": "), e.getMessage());
        }
    }

    @Test
    void emptyDirectoryAndCorruptShard() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Checkpoint.open(empty));
        assertEquals(Kind.IO, e.kind());
        assertMessage(e, "empty", "no model.safetensors or model.safetensors.index.json");
        writeThreeShards();
        byte[] s3 = Files.readAllBytes(dir.resolve(S3));
        Files.write(dir.resolve(S3), java.util.Arrays.copyOf(s3, s3.length - 10));
        assertMessage(assertOpenFails(Kind.TRUNCATED), S3, "truncated");
    }

    private SafetensorsException assertOpenFails(Kind kind) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Checkpoint.open(dir).close());
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    private static void assertMessage(SafetensorsException e, String... fragments) {
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }

    private void editIndex(Consumer<ObjectNode> weightMapEdit) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(dir.resolve(Checkpoint.INDEX).toFile());
        weightMapEdit.accept((ObjectNode) root.get("weight_map"));
        Files.writeString(dir.resolve(Checkpoint.INDEX), root.toString());
    }
}
