package dev.frugal.cli;

import dev.frugal.UserInputException;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Generation;
import dev.frugal.model.GenerationDefaults;
import dev.frugal.text.HfTokenizer;
import dev.frugal.text.Padding;
import dev.frugal.text.TokenizerOptions;
import dev.frugal.model.GenerationConfig;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code frugal generate}: loads a Hugging Face decoder directory and continues a prompt with the KV cache, greedy or
 * seeded sampling, printing the token ids and the decoding speed. Everything the user typed is validated before the
 * model is loaded.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Continue a prompt with a decoder model (OPT, GPT-2, Llama, Qwen3); print the continuation as text"
                + " when the model directory has a tokenizer.json (as token ids with --ids or without one).",
                "Decoding follows Hugging Face: the model's generation_config.json sets the defaults (greedy unless it"
                        + " says do_sample: true); a model without one samples (temperature 1.0, top-k 50, top-p 1.0)."
                        + " --greedy, or any sampling option, overrides."})
final class GenerateCommand implements Callable<Integer> {
    @ParentCommand
    FrugalCommand frugal;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "Hugging Face model directory (config.json + model.safetensors).")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    /** Exactly one of the two prompt forms. */
    static final class Prompt {
        @Option(names = "--prompt-ids", paramLabel = "IDS", required = true,
                description = "Prompt token ids, comma-separated, e.g. 2,100,200.")
        String ids;

        @Option(names = "--prompt", paramLabel = "TEXT", required = true,
                description = "Prompt text (needs the model directory's tokenizer.json).")
        String text;
    }

    @Option(names = "--max-new-tokens", paramLabel = "N", required = true, description = "Tokens to generate (>= 1).")
    int maxNewTokens;

    @Option(names = "--greedy", description = "Pick the most likely token at every step (no sampling options then).")
    boolean greedy;

    @Option(names = "--ids", description = "Print the generated token ids instead of the decoded text.")
    boolean printIds;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature > 0 (default: the model's generation config, else 1.0).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K most likely tokens; 0 = all (default: the model's generation config, else 50).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling mass in (0, 1] (default: the model's generation config, else 1.0).")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the sampling generator (default 0).")
    Long seed;

    @Option(names = "--ignore-eos", description = "Keep generating after the model's end-of-sequence token.")
    boolean ignoreEos;

    @Override
    public Integer call() {
        GenerationConfig gc = generationConfig(null); // the options alone, checked before anything is read
        requireModelDir(model);
        gc = generationConfig(GenerationDefaults.read(model).orElse(null));
        long[] ids = prompt.ids != null ? PromptEncoder.parseIds(prompt.ids) : PromptEncoder.encodeText(model, prompt.text);
        int threads = frugal.configureThreads();
        Device device = frugal.device();
        PrintWriter out = spec.commandLine().getOut();

        long t0 = System.nanoTime();
        try (CausalLM lm = Models.loadCausalLM(model, device)) {
            double loadS = seconds(t0);
            out.printf("model:     %s (%s, %,d parameters) on %s, %d thread(s), loaded in %.2f s%n", model,
                    lm.config().modelType(), lm.parameterCount(), device, threads, loadS);
            out.printf("decoding:  %s%n", describe(gc));
            out.flush();
            long t1 = System.nanoTime();
            Generation.Result r = Generation.generate(lm, ids, gc);
            double genS = seconds(t1);
            long[] fresh = Arrays.copyOfRange(r.tokens(), ids.length, r.tokens().length);
            Path tok = model.resolve("tokenizer.json");
            if (printIds || !Files.isRegularFile(tok)) {
                out.printf("prompt:    %s%n", csv(ids));
                out.printf("generated: %s%n", csv(fresh));
            } else {
                try (HfTokenizer t = HfTokenizer.fromFile(tok, new TokenizerOptions(Integer.MAX_VALUE, Padding.NONE, false))) {
                    out.printf("prompt:    %s%n", t.decode(ids, true));
                    out.printf("generated: %s%n", t.decode(fresh, true));
                }
            }
            out.printf("speed:     %d new token(s) in %.3f s = %.1f tokens/s (prompt of %d token(s) included)%n",
                    fresh.length, genS, fresh.length / Math.max(genS, 1e-9), ids.length);
            if (fresh.length < gc.maxNewTokens())
                out.printf("stopped:   end-of-sequence token after %d token(s) (--ignore-eos to go on)%n", fresh.length);
        }
        out.flush();
        return 0;
    }

    /**
     * The decoding settings, validated (by {@link GenerationConfig}'s constructor): {@code --greedy}, else sampling
     * when a sampling option is given, else the model's {@code defaults} (greedy unless {@code do_sample}), else
     * (no generation config) sampling. Options override the defaults' values.
     *
     * @param defaults the model's generation config, or null (none, or not read yet)
     * @throws UserInputException for out-of-range values or {@code --greedy} mixed with sampling options
     */
    GenerationConfig generationConfig(GenerationDefaults defaults) {
        boolean samplingOption = temperature != null || topK != null || topP != null || seed != null;
        if (greedy && samplingOption)
            throw new UserInputException("--greedy takes no sampling options: drop --greedy to sample, or drop"
                    + " --temperature/--top-k/--top-p/--seed");
        boolean sample = !greedy && (samplingOption || defaults == null || defaults.doSample());
        GenerationDefaults d = defaults != null ? defaults : GenerationDefaults.TRANSFORMERS;
        GenerationConfig gc = sample
                ? GenerationConfig.sampling(maxNewTokens, temperature != null ? temperature : d.temperature(),
                        topK != null ? topK : d.topK(), topP != null ? topP : d.topP(), seed != null ? seed : 0L)
                : GenerationConfig.greedy(maxNewTokens);
        return gc.withStopAtEos(!ignoreEos);
    }

    private static void requireModelDir(Path dir) {
        if (!Files.exists(dir)) throw new UserInputException(dir + ": no such directory (--model takes a"
                + " Hugging Face model directory with config.json and model.safetensors)");
        if (!Files.isDirectory(dir)) throw new UserInputException(dir + ": not a directory (--model takes a"
                + " Hugging Face model directory with config.json and model.safetensors)");
    }

    private static String describe(GenerationConfig gc) {
        return gc.greedy() ? "greedy (--temperature/--top-k/--top-p/--seed to sample)" : String.format("sampling, temperature %s, top-k %d, top-p %s, seed %d",
                gc.temperature(), gc.topK(), gc.topP(), gc.seed());
    }

    private static String csv(long[] ids) {
        return Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(","));
    }

    private static double seconds(long sinceNanos) { return (System.nanoTime() - sinceNanos) / 1e9; }
}
