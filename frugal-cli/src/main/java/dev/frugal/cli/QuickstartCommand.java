package dev.frugal.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code frugal quickstart}: the main job. ZO2 fine-tuning of the pretrained MiniLM sentence encoder on the embedded
 * SpamAssassin subset, blocks offloaded to host memory in bf16 with 2 resident blocks; prints test accuracy before and
 * after. Everything it needs comes with the build (the MiniLM weights from Maven, the emails from the jar).
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "ZO2 fine-tuning of MiniLM on the embedded spam subset (host offload, bf16, K=2); prints test"
                + " accuracy before and after.")
public final class QuickstartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "60", description = "ZO steps. Default: ${DEFAULT-VALUE}.")
    long steps;

    @Option(names = "--out", defaultValue = "frugal-runs/quickstart", description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    /** The settings of the main job (documented in README.md). */
    static ZoTrainCommand.ZoOptions settings(long steps, Path out) {
        ZoTrainCommand.ZoOptions o = new ZoTrainCommand.ZoOptions();
        o.model = "minilm";
        o.task = ZoTrainCommand.Task.spam;
        o.data = "spam-small";
        o.offload = dev.frugal.zo.OffloadTier.HOST;
        o.storageDtype = dev.frugal.tensor.DType.BF16;
        o.residentBlocks = 2;
        o.steps = steps;
        o.batch = 16;
        o.seqLen = 128;
        o.eps = 1e-3;
        o.lr = 2e-5;
        o.seed = 0;
        o.out = out;
        return o;
    }

    @Override
    public Integer call() {
        FrugalCommand frugal = (FrugalCommand) spec.root().userObject();
        frugal.configureThreads();
        PrintWriter w = spec.commandLine().getOut();
        ZoTrainCommand.ZoOptions o = settings(steps, out);
        o.noProgress = noProgress;
        w.println("frugal quickstart: ZO2 (MeZO updates, blocks streamed from a bf16 host tier, 2 resident) on MiniLM"
                + " + embedded SpamAssassin subset");
        w.flush();
        ZoRun.Result r = new ZoRun(o, frugal.device(), w).run();
        w.printf("%nbefore fine-tuning: test accuracy %.4f%nafter  fine-tuning: test accuracy %.4f%n", r.before(), r.after());
        w.println(r.summary());
        w.flush();
        return 0;
    }
}
