package dev.frugal.cli;

import dev.frugal.fewshot.Codebook;
import dev.frugal.fewshot.Domains;
import dev.frugal.fewshot.PretrainConfig;
import dev.frugal.fewshot.PretrainedFiles;
import dev.frugal.fewshot.Pretrainer;
import dev.frugal.vision.Backbone;
import dev.frugal.vision.ImageSet;
import dev.frugal.vision.ResNetConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code frugal fewshot pretrain --source fmnist}: trains the backbone on the source domain and builds the codebook. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Pretrain a ResNet backbone on the source domain (cross-entropy, linear head) and build its codebook.")
public final class FewshotPretrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--source", paramLabel = "NAME|DIR", defaultValue = "fmnist",
            description = "Source domain: fmnist or a folder of class folders (default: ${DEFAULT-VALUE}).")
    String source;

    @Option(names = "--backbone", paramLabel = "ARCH", defaultValue = "resnet10", description = "resnet10 | resnet12 (default: ${DEFAULT-VALUE}).")
    String backbone;

    @Option(names = "--widths", paramLabel = "W,W,W,W", defaultValue = "16,32,64,64", split = ",",
            description = "Channels of the four stages (default: ${DEFAULT-VALUE}; BSCD-FSL's ResNet-10: 64,128,256,512).")
    List<Integer> widths;

    @Option(names = "--image-size", paramLabel = "PX", defaultValue = "28", description = "Image side (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "600", description = "SGD steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.05", description = "Peak learning rate, cosine decay (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--codebook-per-class", paramLabel = "K", defaultValue = "20",
            description = "k-means centroids per source class in the codebook (default: ${DEFAULT-VALUE}, the authors' n).")
    int perClass;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Where backbone.safetensors and codebook.safetensors go"
            + " (default: $FRUGAL_HOME/fewshot/SOURCE-ARCH).")
    Path out;

    @Override
    public Integer call() {
        Backbone arch;
        try {
            arch = Backbone.of(backbone);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--backbone: " + e.getMessage());
        }
        ResNetConfig rc;
        PretrainConfig cfg;
        try {
            rc = new ResNetConfig(arch, 1, widths, imageSize);
            cfg = new PretrainConfig(rc, steps, batch, lr, 100, perClass, seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        FrugalCommand.configureThreads(spec);
        PrintWriter o = spec.commandLine().getOut();
        ImageSet src = Domains.resolve(source, imageSize);
        String srcName = src.name();
        PretrainedFiles files = out != null ? new PretrainedFiles(out) : PretrainedFiles.defaultFor(srcName, arch);
        o.printf(Locale.ROOT, "source %s: %d classes, %d images; %s widths %s at %d px; %d steps of %d, lr %s, seed %d%n",
                srcName, src.classCount(), src.total(), arch.cliName(), widths, imageSize, steps, batch, lr, seed);
        o.flush();
        long t0 = System.nanoTime();
        List<double[]> curve = new ArrayList<>();
        Pretrainer.Result r;
        try (MetricsLog log = new MetricsLog(files.dir().resolve("metrics.jsonl"), false);
             ProgressBar bar = FewshotEvalCommand.bar("pretrain", steps)) {
            r = Pretrainer.run(src, cfg, (step, loss, acc) -> {
                bar.stepTo(step);
                bar.setExtraMessage(String.format(Locale.ROOT, "loss %.3f acc %.2f", loss, acc));
                if (step % 10 == 0 || step == steps) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("step", step);
                    m.put("loss", loss);
                    m.put("batch_acc", acc);
                    log.write(m);
                    curve.add(new double[] {step, loss});
                }
            });
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        r.backbone().save(files.backbone());
        Codebook.save(r.codebook(), files.codebook(), srcName);
        new LinePlot("Source pretraining on " + srcName + " (" + arch.cliName() + ", " + steps + " steps)", "step", "batch loss")
                .series("cross-entropy", curve.stream().mapToDouble(p -> p[0]).toArray(), curve.stream().mapToDouble(p -> p[1]).toArray())
                .write(files.dir().resolve("pretrain_loss.png"));
        o.printf(Locale.ROOT, "trained in %.1f s; last 10%% of steps: loss %.4f, batch accuracy %.3f%n", secs, r.finalLoss(), r.finalAccuracy());
        o.printf(Locale.ROOT, "backbone  %s (%d parameters)%ncodebook  %s (%d × %d)%nmetrics   %s%n", files.backbone(),
                r.backbone().parameterCount(), files.codebook(), r.codebook().size(0), r.codebook().size(1), files.dir().resolve("metrics.jsonl"));
        r.backbone().close();
        r.codebook().close();
        return 0;
    }
}
