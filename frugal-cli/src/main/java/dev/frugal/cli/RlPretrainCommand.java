package dev.frugal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.io.FileTrees;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.rl.task.Pretrainer;
import dev.frugal.rl.task.TaskFamily;
import dev.frugal.rl.task.TinyLm;
import dev.frugal.tensor.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code frugal rl pretrain}: a small Llama/Qwen3 trained by backprop on the task family, saved as an HF directory. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a small Llama/Qwen3 (supervised) on the seeded task family and save it as a Hugging Face"
                + " directory (config.json + model.safetensors) that 'frugal generate' and 'frugal rl train' load.")
public final class RlPretrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--arch", paramLabel = "A", description = "llama (default) | qwen3")
    String arch = "llama";

    @Option(names = "--hidden", paramLabel = "C", description = "Hidden size (default 128).")
    int hidden = 128;

    @Option(names = "--layers", paramLabel = "N", description = "Blocks (default 4).")
    int layers = 4;

    @Option(names = "--heads", paramLabel = "H", description = "Query heads (default 4).")
    int heads = 4;

    @Option(names = "--kv-heads", paramLabel = "H", description = "Key/value heads (default 2).")
    int kvHeads = 2;

    @Option(names = "--intermediate", paramLabel = "F", description = "SwiGLU width (default 384).")
    int intermediate = 384;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps (default 800): stop where it is partly right.")
    int steps = 800;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences per step (default 64).")
    int batch = 64;

    @Option(names = "--lr", paramLabel = "LR", description = "AdamW learning rate (default 3e-3).")
    double lr = 3e-3;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the init and the task stream (default 0).")
    long seed = 0;

    @Option(names = "--held-out", paramLabel = "N", description = "Held-out prompts for the exact-match score (default 200, at most 2000).")
    int heldOut = 200;

    @Mixin
    ProgressOption progress;

    @Override
    public Integer call() throws IOException {
        if (steps < 1) throw new ParameterException(spec.commandLine(), "--steps must be >= 1, got " + steps);
        if (batch < 1) throw new ParameterException(spec.commandLine(), "--batch must be >= 1, got " + batch);
        if (!(lr > 0)) throw new ParameterException(spec.commandLine(), "--lr must be > 0, got " + lr);
        if (heldOut < 1 || heldOut > TaskFamily.RESERVED)
            throw new ParameterException(spec.commandLine(), "--held-out must be in [1, " + TaskFamily.RESERVED + "], got " + heldOut);
        TinyLm shape = new TinyLm(arch, hidden, layers, heads, kvHeads, intermediate, TinyLm.POSITIONS);
        FrugalCommand.configureThreads(spec);
        PrintWriter o = spec.commandLine().getOut();
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        FileTrees.delete(tmp);
        long t0 = System.nanoTime();
        try (CausalLM m = shape.create(tmp, seed, Device.CPU)) {
            o.printf(Locale.ROOT, "rl pretrain: %s, %d layers, C=%d, %d heads (%d KV), F=%d, %,d parameters; %d steps x %d"
                    + " sequences, lr %.1e, seed %d%n", arch, layers, hidden, heads, kvHeads, intermediate,
                    m.parameterCount(), steps, batch, lr, seed);
            o.flush();
            double loss;
            try (ProgressBar bar = progress.bar("pretrain", steps, "steps")) {
                loss = Pretrainer.train(m, seed, steps, batch, lr, s -> { if (bar != null) bar.stepTo(s); });
            }
            List<dev.frugal.rl.task.Task> held = TaskFamily.heldOut(heldOut);
            double em = Pretrainer.exactMatch(m, held);
            double sampled = Pretrainer.sampledExactMatch(m, held, 4, 1.0, 1.0, dev.frugal.rl.task.TaskGrpoRun.EVAL_SEED);
            Models.save(m, tmp);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("task_family", "frugal-rl char tasks: add, reverse, sort, count, repeat; 0-3 restatements");
            info.put("vocab", dev.frugal.rl.task.CharVocab.CHARS);
            info.put("seed", seed);
            info.put("tasks_seen", (long) steps * batch);
            info.put("final_loss", loss);
            info.put("held_out_exact_match", em);
            info.put("held_out_exact_match_sampled", sampled);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("task_family.json").toFile(), info);
            FileTrees.delete(out);
            Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            o.printf(Locale.ROOT, "loss (last 20 steps) %.4f; held-out exact match (%d prompts): greedy %.3f, sampled at T=1"
                    + " %.3f (4 per prompt); %.1f s; saved %s%n", loss, heldOut, em, sampled, (System.nanoTime() - t0) / 1e9, out);
        }
        return 0;
    }
}
