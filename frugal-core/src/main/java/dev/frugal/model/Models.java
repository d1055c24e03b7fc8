package dev.frugal.model;

import dev.frugal.io.SafetensorsWriter;
import dev.frugal.tensor.Backend;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Loads and saves Hugging Face model directories, dispatching on {@code model_type}. */
public final class Models {
    private Models() {}

    /** The decoder {@code model_type}s frugal implements. */
    public static final java.util.List<String> DECODER_TYPES = java.util.List.of("opt", "gpt2", "llama", "qwen3");

    /**
     * Loads a decoder-only language model from {@code dir} onto {@code device}.
     *
     * @throws ConfigException           for an unknown model_type or a bad config
     * @throws CheckpointMismatchException when the weights do not fit the config
     */
    public static CausalLM loadCausalLM(Path dir, Device device) {
        Backend.requireDevice(device);
        HfConfig cfg = HfConfig.read(dir);
        String type = cfg.modelType();
        return switch (type) {
            case "opt" -> dev.frugal.model.opt.OptModel.load(dir, device);
            case "llama" -> dev.frugal.model.llama.LlamaModel.load(dir, device);
            case "qwen3" -> dev.frugal.model.llama.LlamaModel.load(dir, device);
            default -> throw new ConfigException(cfg.file(), "model_type '" + type + "' is not a decoder frugal"
                    + " implements (" + String.join(", ", DECODER_TYPES) + ")");
        };
    }

    /**
     * Saves {@code model} as a Hugging Face directory: {@code config.json} and {@code model.safetensors} (parameters in
     * {@code named_parameters()} order, tied weights once), both written atomically.
     */
    public static void save(CausalLM model, Path dir) {
        Map<String, Tensor> params = new LinkedHashMap<>(model.namedParameters());
        try {
            model.config().source().writeTo(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("config.json"), e);
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), params, Map.of("format", "pt"));
    }
}
