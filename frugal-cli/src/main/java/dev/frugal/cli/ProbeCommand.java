package dev.frugal.cli;

import dev.frugal.InvalidSettingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.data.DatasetFetchException;
import dev.frugal.data.DatasetName;
import dev.frugal.data.DatasetRegistry;
import dev.frugal.data.SpamAssassinCorpus;
import dev.frugal.data.SpamEmail;
import dev.frugal.data.SpamSmall;
import dev.frugal.data.Split;
import dev.frugal.model.ModelRef;
import dev.frugal.model.SentenceEncoder;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Threads;
import dev.frugal.train.LinearProbe;
import dev.frugal.train.Metrics;
import dev.frugal.train.ProbeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frugal probe --model minilm --data spam|spam-small}: a linear probe on frozen sentence embeddings. Embeds
 * the train and test split (mean pooling over the mask, L2-normalised; one {@link Scope} per batch), trains a
 * logistic-regression head with AdamW (seeded) on the train embeddings, and prints test accuracy, precision, recall,
 * F1 (spam positive), the confusion matrix and the majority-class baseline. Progress bars go to stderr, results to
 * stdout; {@code --json FILE} also writes the figures as one JSON line.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Train a logistic-regression probe on frozen sentence embeddings and report test metrics.")
public final class ProbeCommand implements Callable<Integer> {

    /** The data sets a probe runs on. */
    enum ProbeData {
        /** The 600 emails embedded in frugal-core (80/10/10 split). */
        SPAM_SMALL("spam-small"),
        /** The full deduplicated SpamAssassin corpus (5,875 emails; {@code frugal data fetch spam}). */
        SPAM("spam");

        final String cliName;

        ProbeData(String cliName) {
            this.cliName = cliName;
        }

        static ProbeData of(String s) {
            for (ProbeData d : values()) {
                if (d.cliName.equals(s)) {
                    return d;
                }
            }
            throw new CommandLine.TypeConversionException("unknown data '" + s + "': use spam-small or spam");
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME|DIR", defaultValue = "minilm",
            description = "a model name (minilm) or a Hugging Face BERT directory with tokenizer.json "
                    + "(default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--data", paramLabel = "SET", defaultValue = "spam-small", converter = DataConverter.class,
            description = "spam-small (embedded, 600 emails) or spam (full corpus, after `frugal data fetch spam`)"
                    + " (default: ${DEFAULT-VALUE})")
    ProbeData data;

    @Option(names = "--max-tokens", defaultValue = "128", description = "truncate emails to this many tokens, "
            + "all-MiniLM-L6-v2's training length "
            + "(default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--batch-size", defaultValue = "32", description = "emails per encoder batch (default: "
            + "${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--epochs", defaultValue = "100", description = "probe training epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.01", description = "AdamW learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--seed", defaultValue = "42", description = "probe seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--limit", paramLabel = "N", description = "use only the first N train and N test emails")
    Integer limit;

    @Option(names = "--json", paramLabel = "FILE", description = "also append the figures as one JSON line")
    Path json;

    /** picocli converter for {@link ProbeData}. */
    static final class DataConverter implements CommandLine.ITypeConverter<ProbeData> {
        @Override
        public ProbeData convert(String value) {
            return ProbeData.of(value);
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        // every option checked before the model loads and the emails are embedded
        ProbeConfig cfg = ProbeConfig.defaults().withEpochs(epochs).withLr(lr).withSeed(seed);
        if (maxTokens < 2) throw new InvalidSettingException("--max-tokens", "must be >= 2, got " + maxTokens);
        if (batchSize < 1) throw new InvalidSettingException("--batch-size", "must be >= 1, got " + batchSize);
        if (limit != null && limit < 1) throw new InvalidSettingException("--limit", "must be >= 1, got " + limit);
        try {
            FrugalCommand frugal = (FrugalCommand) spec.root().userObject();
            frugal.configureThreads();
            Device device = frugal.device();
            Split<SpamEmail> split = load(data);
            List<SpamEmail> train = limit == null ? split.train() : split.train().subList(0,
                    Math.min(limit, split.train().size()));
            List<SpamEmail> test = limit == null ? split.test() : split.test().subList(0,
                    Math.min(limit, split.test().size()));
            Path dir = ModelRef.resolve(model);
            out.printf(Locale.ROOT, "probe: model %s (%s), data %s: %d train / %d test emails, <= %d tokens, seed %d,"
                    + " %d threads, %s%n", model, dir, data.cliName, train.size(), test.size(), maxTokens, seed,
                    Threads.aten(), device);
            out.flush();
            try (SentenceEncoder enc = SentenceEncoder.load(dir, device, maxTokens);
                 Scope s = Scope.open()) {
                long e0 = System.nanoTime();
                Tensor trainX = embed(enc, train, "embed train");
                Tensor testX = embed(enc, test, "embed test");
                double embedSeconds = (System.nanoTime() - e0) / 1e9;
                out.printf(Locale.ROOT, "embedded %d emails (%d-d) in %.1f s (%.1f emails/s)%n",
                        train.size() + test.size(), enc.dimension(), embedSeconds,
                        (train.size() + test.size()) / embedSeconds);
                int[] trainY = train.stream().mapToInt(SpamEmail::label).toArray();
                int[] testY = test.stream().mapToInt(SpamEmail::label).toArray();
                long p0 = System.nanoTime();
                LinearProbe probe;
                try (ProgressBar bar = Progress.onStderr("train probe", epochs)) {
                    probe = LinearProbe.train(trainX, trainY, 2, cfg, (ep, loss) -> {
                        bar.stepTo(ep);
                        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", loss));
                    });
                }
                double[] losses = probe.epochLosses();
                out.printf(Locale.ROOT, "trained logistic regression: %d epochs, batch %d, AdamW lr %s wd %s, final "
                        + "train loss %.4f, %.1f s%n", epochs, cfg.batchSize(), cfg.optimizer().lr(),
                        cfg.optimizer().weightDecay(), losses[losses.length - 1], (System.nanoTime() - p0) / 1e9);
                Metrics m = probe.evaluate(testX, testY, 1);
                Metrics base = LinearProbe.majorityBaseline(trainY, testY, 2, 1);
                probe.close();
                trainX.close();
                testX.close();
                double wall = (System.nanoTime() - t0) / 1e9;
                report(out, m, base, LinearProbe.majorityClass(trainY, 2), wall);
                if (json != null) {
                    writeJson(m, base, train.size(), test.size(), embedSeconds, wall);
                }
            }
            return 0;
        } catch (DatasetFetchException e) {
            return DataCommand.fetchFailed(err, e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The split of {@code d}; the full corpus must be installed already (no implicit download). */
    static Split<SpamEmail> load(ProbeData d) {
        return switch (d) {
            case SPAM_SMALL -> SpamSmall.split();
            case SPAM -> {
                DatasetRegistry.atHome().require(DatasetName.SPAM); // says "run `frugal data fetch spam`" if missing
                yield SpamAssassinCorpus.defaultSplit();
            }
        };
    }

    private Tensor embed(SentenceEncoder enc, List<SpamEmail> emails, String task) {
        try (ProgressBar bar = Progress.onStderr(task, emails.size())) {
            return enc.embedAll(emails.stream().map(SpamEmail::text).toList(), batchSize, bar::stepTo);
        }
    }

    private static void report(PrintWriter out, Metrics m, Metrics base, int majority, double wall) {
        long spam = m.confusion().support(1);
        long ham = m.confusion().support(0);
        out.printf(Locale.ROOT, "%ntest set: %d emails (%d ham, %d spam); spam is the positive class%n",
                ham + spam, ham, spam);
        out.printf(Locale.ROOT, "%-22s %9s %10s %8s %8s%n", "", "accuracy", "precision", "recall", "F1");
        out.printf(Locale.ROOT, "%-22s %9.4f %10.4f %8.4f %8.4f%n", "linear probe", m.accuracy(), m.precision(),
                m.recall(), m.f1());
        out.printf(Locale.ROOT, "%-22s %9.4f %10.4f %8.4f %8.4f%n",
                "majority (" + (majority == 1 ? "spam" : "ham") + ")", base.accuracy(), base.precision(),
                base.recall(), base.f1());
        out.printf("%nconfusion matrix (rows: true class, columns: predicted)%n%s%n",
                m.confusion().format("ham", "spam"));
        out.printf(Locale.ROOT, "%nwall time %.1f s%n", wall);
        out.flush();
    }

    private void writeJson(Metrics m, Metrics base, int trainN, int testN, double embedSeconds, double wall)
            throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("probe", model);
        o.put("data", data.cliName);
        o.put("train", trainN);
        o.put("test", testN);
        o.put("max_tokens", maxTokens);
        o.put("seed", seed);
        o.put("accuracy", m.accuracy());
        o.put("precision", m.precision());
        o.put("recall", m.recall());
        o.put("f1", m.f1());
        o.put("confusion", m.confusion().counts());
        o.put("majority_accuracy", base.accuracy());
        o.put("embed_seconds", embedSeconds);
        o.put("wall_seconds", wall);
        Path parent = json.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(json, new ObjectMapper().writeValueAsString(o) + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }
}
