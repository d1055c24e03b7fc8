package dev.frugal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.influence.InfluenceInputException;
import dev.frugal.influence.data.DataRef;
import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.data.Split;
import dev.frugal.influence.experiment.Stats;
import dev.frugal.influence.method.InfluenceMethod;
import dev.frugal.influence.method.InfluenceSetup;
import dev.frugal.influence.method.Method;
import dev.frugal.influence.sam.TrainedModel;
import dev.frugal.influence.sam.TrajectoryStore;
import dev.frugal.tensor.DType;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frugal influence score}: the top-k helpful and harmful training examples of each test example, as CSV or JSON
 * (by the file's extension), with their text, or a PNG grid of their images.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score training examples against test examples with one influence method.")
public final class InfluenceScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ProgressOption progress;

    @Mixin
    InfluenceOptions.Solving solving;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "a directory from 'influence train'")
    Path model;

    @Option(names = "--method", defaultValue = "sam-hif", description = "sam-hif, sam-gif, if, tracin or loss"
            + " (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--test-count", defaultValue = "5", description = "score the first N test examples (default: ${DEFAULT-VALUE})")
    int testCount;

    @Option(names = "--top-k", defaultValue = "5", description = "helpful and harmful examples per test example"
            + " (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--out", required = true, paramLabel = "FILE.csv|FILE.json", description = "the top-k table")
    Path out;

    @Option(names = "--png", paramLabel = "FILE", description = "a grid of the images (image data only)")
    Path png;

    @Option(names = "--max-grad-norm", defaultValue = "1e-4", description = "refuse a model with ‖G(θ*) + λθ*‖ above"
            + " this (default: ${DEFAULT-VALUE})")
    double maxGradNorm;

    @Option(names = "--force", description = "score a model that has not converged")
    boolean force;

    @Option(names = "--spark-master", paramLabel = "URL", description = "spread the training examples' gradients and"
            + " scores over Spark executors (local[N], spark://host:port)")
    String sparkMaster;

    @Option(names = "--partitions", defaultValue = "4", description = "training-set shards on Spark (default: ${DEFAULT-VALUE})")
    int partitions;

    @Override
    public Integer call() throws Exception {
        return InfluenceCommand.guarded(spec, () -> {
            PrintWriter o = spec.commandLine().getOut();
            Method m = Method.parse(method);
            if (topK < 1 || testCount < 1) throw new dev.frugal.UserInputException("--top-k and --test-count must be >= 1");
            Split split = DataRef.fromMetadata(TrajectoryStore.metadata(model)).load(null);
            TrainedModel tm = TrajectoryStore.load(model, split.train().fingerprint());
            Dataset test = split.test().subset(java.util.stream.IntStream.range(0, Math.min(testCount,
                    split.test().size())).toArray());
            long t0 = System.nanoTime();
            double[][] scores;
            try (ProgressBar bar = InfluenceCommand.bar("score " + m.cliName(), test.size(), progress)) {
                InfluenceSetup setup = InfluenceSetup.of(tm, split.train()).withSolver(solving.solver(), solving.damping)
                        .withConvergence(maxGradNorm, force).withDtype(DType.F64).withProgress(bar::stepTo);
                if (sparkMaster != null) {
                    org.apache.spark.SparkContext sc = new org.apache.spark.SparkContext(
                            dev.frugal.spark.influence.SparkInfluence.conf(sparkMaster));
                    try {
                        scores = dev.frugal.spark.influence.SparkInfluence.scores(sc, setup, m, test, partitions);
                    } finally {
                        sc.stop();
                    }
                } else {
                    try (InfluenceMethod im = setup.create(m)) {
                        scores = im.scores(test);
                    }
                }
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            int[][] helpful = new int[test.size()][], harmful = new int[test.size()][];
            for (int t = 0; t < test.size(); t++) {
                double[] col = new double[split.train().size()];
                for (int i = 0; i < col.length; i++) col[i] = scores[i][t];
                int[] order = Stats.descending(col);
                int k = Math.min(topK, col.length);
                helpful[t] = java.util.Arrays.copyOf(order, k);
                harmful[t] = new int[k];
                for (int r = 0; r < k; r++) harmful[t][r] = order[order.length - 1 - r];
                for (String kind : List.of("helpful", "harmful")) {
                    int[] idx = kind.equals("helpful") ? helpful[t] : harmful[t];
                    for (int r = 0; r < k; r++) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("test_index", t);
                        row.put("test_label", test.classNames().get(test.y()[t]));
                        row.put("kind", kind);
                        row.put("rank", r + 1);
                        row.put("train_index", idx[r]);
                        row.put("train_label", split.train().classNames().get(split.train().y()[idx[r]]));
                        row.put("score", col[idx[r]]);
                        row.put("text", split.train().texts().isEmpty() ? "" : split.train().texts().get(idx[r]));
                        rows.add(row);
                    }
                }
            }
            write(rows);
            if (png != null) {
                if (split.train().imageSide() == 0) {
                    throw new InfluenceInputException("--png: " + split.train().name() + " has no images; use --out"
                            + " FILE.csv for text");
                }
                InfluencePlots.grid(png, test, split.train(), helpful, harmful, m.cliName());
            }
            o.printf(Locale.ROOT, "%s (%s, δ %s): %d train × %d test scored in %.1f s; top-%d helpful/harmful → %s%s%n",
                    m.cliName(), solving.solver, solving.damping, split.train().size(), test.size(),
                    (System.nanoTime() - t0) / 1e9, topK, out, png == null ? "" : ", grid → " + png);
            return 0;
        });
    }

    private void write(List<Map<String, Object>> rows) throws java.io.IOException {
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        if (out.toString().endsWith(".json")) {
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), rows);
            return;
        }
        if (!out.toString().endsWith(".csv")) throw new dev.frugal.UserInputException("--out " + out + ": use a .csv or"
                + " .json file name");
        StringBuilder sb = new StringBuilder(String.join(",", rows.isEmpty() ? List.of() : rows.getFirst().keySet()));
        sb.append('\n');
        for (Map<String, Object> r : rows) {
            List<String> cells = new ArrayList<>();
            for (Object v : r.values()) {
                String s = v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : String.valueOf(v);
                cells.add(s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
            }
            sb.append(String.join(",", cells)).append('\n');
        }
        Files.writeString(out, sb, StandardCharsets.UTF_8);
    }
}
