package dev.frugal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.opt.OptConfig;
import dev.frugal.tensor.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json problems give a {@link ConfigException} naming the file and the field, before any weight is read. */
class HfConfigTest {
    @TempDir
    Path tmp;

    private static Path optFixture() { return Fixtures.dir("opt"); }

    /** A copy of the OPT fixture's config.json with {@code edit} applied, next to a link to its weights. */
    private Path optWith(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode json = HfConfig.read(optFixture()).json();
        edit.accept(json);
        Path dir = Files.createDirectories(tmp.resolve("opt-" + System.nanoTime()));
        HfConfig.of(json, dir.resolve("config.json")).writeTo(dir);
        Files.createSymbolicLink(dir.resolve("model.safetensors"), optFixture().resolve("model.safetensors"));
        return dir;
    }

    private static ConfigException assertConfigError(Path dir, String... fragments) {
        ConfigException e = assertThrows(ConfigException.class, () -> Models.loadCausalLM(dir, Device.CPU).close());
        assertTrue(e.getMessage().startsWith(dir.resolve("config.json") + ": "), "names the file: " + e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        return e;
    }

    @Test
    void missingHiddenSize() throws IOException {
        assertConfigError(optWith(j -> j.remove("hidden_size")), "required field 'hidden_size' is missing");
    }

    @Test
    void hiddenNotDivisibleByHeads() throws IOException {
        int hidden = HfConfig.read(optFixture()).json().get("hidden_size").asInt();
        int heads = 2;
        while (hidden % heads == 0) heads++; // the smallest head count that does not divide the fixture's width
        int h = heads;
        assertConfigError(optWith(j -> j.put("num_attention_heads", h)),
                "hidden_size " + hidden + " is not divisible by num_attention_heads " + h);
    }

    @Test
    void wrongTypesAndRanges() throws IOException {
        assertConfigError(optWith(j -> j.put("hidden_size", "64")), "'hidden_size' must be an integer, got \"64\"");
        assertConfigError(optWith(j -> j.put("hidden_size", 64.5)), "'hidden_size' must be an integer");
        assertConfigError(optWith(j -> j.put("num_hidden_layers", 0)), "'num_hidden_layers' must be positive, got 0");
        assertConfigError(optWith(j -> j.put("vocab_size", 1L << 40)), "'vocab_size' = 1099511627776 does not fit");
        assertConfigError(optWith(j -> j.put("do_layer_norm_before", "yes")), "'do_layer_norm_before' must be true or"
                + " false");
        assertConfigError(optWith(j -> j.put("activation_function", "swish")), "activation_function 'swish'");
        assertConfigError(optWith(j -> j.put("model_type", "mamba")), "model_type 'mamba' is not a decoder");
        assertConfigError(optWith(j -> j.remove("model_type")), "'model_type' is missing");
    }

    @Test
    void notJsonOrNotAnObject() throws IOException {
        String valid = Files.readString(optFixture().resolve("config.json"));
        for (var c : List.of(
                List.of("{\"hidden_size\": 64,", "not valid JSON at line 1"),
                List.of(valid + "\n{}", "not valid JSON"),
                List.of("{\"hidden_size\": 64, \"hidden_size\": 32}", "Duplicate field 'hidden_size'"),
                List.of("[1, 2]", "not a JSON object"),
                List.of("", "not a JSON object"))) {
            Path dir = Files.createDirectories(tmp.resolve("bad-" + System.nanoTime()));
            Files.writeString(dir.resolve("config.json"), c.get(0));
            assertConfigError(dir, c.get(1));
        }
    }

    @Test
    void noConfigJson() {
        ConfigException e = assertThrows(ConfigException.class, () -> HfConfig.read(tmp));
        assertTrue(e.getMessage().contains(tmp.resolve("config.json").toString()) && e.getMessage().contains(
                "no config.json"), e.getMessage());
    }

    @Test
    void optObjectRefusesNonObjects() throws IOException {
        HfConfig c = HfConfig.read(optWith(j -> j.put("rope_scaling", "linear")));
        assertThrows(ConfigException.class, () -> c.optObject("rope_scaling"));
        assertEquals(null, c.optObject("absent"));
    }

    @Test
    void writeToIsAtomicAndRoundTrips() throws IOException {
        HfConfig c = HfConfig.read(optFixture());
        c.writeTo(tmp);
        c.writeTo(tmp); // over an existing file
        try (var files = Files.list(tmp)) {
            assertEquals(List.of("config.json"), files.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(c.json(), HfConfig.read(tmp).json());
        assertEquals(OptConfig.from(c).hiddenSize(), OptConfig.from(HfConfig.read(tmp)).hiddenSize());
    }
}
