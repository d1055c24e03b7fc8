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

    /** The encoder {@code model_type}s frugal implements. */
    public static final java.util.List<String> ENCODER_TYPES = java.util.List.of("bert");

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
            case "gpt2" -> dev.frugal.model.gpt2.Gpt2Model.load(dir, device);
            case "llama", "qwen3" -> dev.frugal.model.llama.LlamaModel.load(dir, device);
            default -> throw new ConfigException(cfg.file(), "model_type '" + type + "' is not a decoder frugal"
                    + " implements (" + String.join(", ", DECODER_TYPES) + ")");
        };
    }

    /**
     * A decoder whose blocks are still in its checkpoint, and the source that reads them one block at a time into an
     * offloading engine ({@code Zo2Engine.streaming}). Closing it closes both: the source closes the checkpoint.
     */
    public record Streamed(CausalLM model, BlockSource blocks) implements AutoCloseable {
        @Override
        public void close() {
            try {
                blocks.close();
            } finally {
                model.close();
            }
        }
    }

    /**
     * Loads {@code dir}'s embedding, positions, final norm and head on the CPU and leaves the blocks in the (memory-mapped)
     * checkpoint, so that the float32 model is never resident as a whole: the blocks go one at a time into an offload
     * tier. The checkpoint is verified as by {@link #loadCausalLM}.
     *
     * @throws ConfigException             for a model_type that is not a decoder, or a bad config
     * @throws CheckpointMismatchException when the weights do not fit the config
     */
    public static Streamed loadCausalLMStreaming(Path dir) {
        HfConfig cfg = HfConfig.read(dir);
        String type = cfg.modelType();
        dev.frugal.io.Checkpoint ckpt = dev.frugal.io.Checkpoint.open(dir);
        try {
            return switch (type) {
                case "opt" -> dev.frugal.model.opt.OptModel.loadStreaming(cfg, ckpt);
                case "gpt2" -> dev.frugal.model.gpt2.Gpt2Model.loadStreaming(cfg, ckpt);
                case "llama", "qwen3" -> dev.frugal.model.llama.LlamaModel.loadStreaming(cfg, ckpt);
                default -> throw new ConfigException(cfg.file(), "model_type '" + type + "' is not a decoder frugal"
                        + " implements (" + String.join(", ", DECODER_TYPES) + ")");
            };
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    /**
     * Loads an encoder (BERT) from {@code dir} onto {@code device}: a {@code BertForSequenceClassification} or a bare
     * {@code BertModel} checkpoint.
     *
     * @throws ConfigException             for a model_type that is not an encoder, or a bad config
     * @throws CheckpointMismatchException when the weights do not fit the config
     */
    public static EncoderModel loadEncoder(Path dir, Device device) {
        Backend.requireDevice(device);
        HfConfig cfg = HfConfig.read(dir);
        String type = cfg.modelType();
        return switch (type) {
            case "bert" -> dev.frugal.model.bert.BertModel.load(dir, device);
            default -> throw new ConfigException(cfg.file(), "model_type '" + type + "' is not an encoder frugal"
                    + " implements (" + String.join(", ", ENCODER_TYPES) + ")");
        };
    }

    /**
     * Saves {@code model} (a decoder or an encoder) as a Hugging Face directory: {@code config.json} and
     * {@code model.safetensors} (parameters in {@code named_parameters()} order, tied weights once, under the names
     * they were loaded with, so the layout loaded is the layout saved), both written atomically.
     */
    public static void save(StagedModel model, Path dir) {
        Map<String, Tensor> params = new LinkedHashMap<>(model.namedParameters());
        try {
            model.config().source().writeTo(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("config.json"), e);
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), params, Map.of("format", "pt"));
    }
}
