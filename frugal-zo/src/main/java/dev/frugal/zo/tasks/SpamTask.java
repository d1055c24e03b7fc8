package dev.frugal.zo.tasks;

import dev.frugal.InvalidSettingException;
import dev.frugal.data.SpamEmail;
import dev.frugal.data.Split;
import dev.frugal.model.MeanPoolClassifier;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.text.Encoding;
import dev.frugal.text.HfTokenizer;
import dev.frugal.text.Padding;
import dev.frugal.text.TokenizerOptions;
import dev.frugal.zo.BatchSource;
import dev.frugal.zo.ClassBatch;
import dev.frugal.zo.EpochSampler;
import dev.frugal.zo.Zo2Engine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Spam classification with a sentence encoder (MiniLM) and a {@link MeanPoolClassifier} head, the real-data ZO task.
 * The head starts as the nearest-prototype classifier over the frozen encoder's sentence embeddings (row c =
 * s·normalise(mean embedding of class c), s = {@link #PROTOTYPE_SCALE}), so zeroth-order fine-tuning begins at a
 * sensible point instead of chance; ZO then tunes the encoder and the head together.
 */
public final class SpamTask implements AutoCloseable {
    /** Temperature of the prototype head: logits = s·cos(x, μ_c). */
    public static final double PROTOTYPE_SCALE = 20.0;

    /**
     * @param maxTokens tokens per email (truncated; [CLS] and [SEP] included)
     * @param batch     emails per ZO step
     * @param evalBatch emails per evaluation forward
     */
    public record Options(int maxTokens, int batch, int evalBatch) {
        public Options {
            if (maxTokens < 8) throw new InvalidSettingException("seqLen", "must be >= 8 for spam emails, got " + maxTokens);
            if (batch < 1) throw new InvalidSettingException("batch", "must be >= 1, got " + batch);
            if (evalBatch < 1) throw new IllegalArgumentException("eval batch must be >= 1");
        }
    }

    /** Accuracy, loss and confusion counts on a split; {@code confusion[truth][predicted]}. */
    public record Evaluation(double accuracy, double loss, long[][] confusion, int n) {
        public double precision() {
            long tp = confusion[1][1], fp = confusion[0][1];
            return tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        }

        public double recall() {
            long tp = confusion[1][1], fn = confusion[1][0];
            return tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        }
    }

    private final Split<SpamEmail> split;
    private final HfTokenizer tokenizer;
    private final Options options;
    private final Device device;

    public SpamTask(Split<SpamEmail> split, Path tokenizerJson, Options options, Device device) {
        this.split = split;
        this.options = options;
        this.device = device;
        this.tokenizer = HfTokenizer.fromFile(tokenizerJson, new TokenizerOptions(options.maxTokens(), Padding.LONGEST, true));
    }

    public Split<SpamEmail> split() { return split; }

    /** Tokenises {@code emails} into one padded batch. */
    public ClassBatch encode(List<SpamEmail> emails) {
        List<String> texts = new ArrayList<>();
        long[] labels = new long[emails.size()];
        for (int i = 0; i < emails.size(); i++) {
            texts.add(emails.get(i).text());
            labels[i] = emails.get(i).label();
        }
        Encoding e = tokenizer.encode(texts);
        return new ClassBatch(Tensors.fromLongs(e.ids()).to(device), Tensors.fromLongs(e.attentionMask()).to(device),
                Tensors.fromLongs(labels, labels.length).to(device));
    }

    /** Training batches, {@link EpochSampler} order. */
    public BatchSource<ClassBatch> trainBatches(long seed) {
        List<SpamEmail> train = split.train();
        EpochSampler sampler = new EpochSampler(train.size(), options.batch(), seed);
        return t -> {
            List<SpamEmail> picked = new ArrayList<>();
            for (int i : sampler.indices(t)) picked.add(train.get(i));
            return encode(picked);
        };
    }

    private List<ClassBatch> batches(List<SpamEmail> emails) {
        List<ClassBatch> out = new ArrayList<>();
        for (int i = 0; i < emails.size(); i += options.evalBatch())
            out.add(encode(emails.subList(i, Math.min(emails.size(), i + options.evalBatch()))));
        return out;
    }

    /** Initialises the head from class prototypes of the training emails' sentence embeddings. */
    public void initHead(MeanPoolClassifier model, Zo2Engine<ClassBatch> engine) {
        try (Scope s = Scope.open()) {
            List<ClassBatch> bs = batches(split.train());
            // results outlive forwardMany's scope: kept here, released below
            List<Tensor> emb = engine.forwardMany(bs, (h, b, ctx) -> MeanPoolClassifier.sentenceEmbedding(h, b.mask()).keep());
            long[] labels = split.train().stream().mapToLong(SpamEmail::label).toArray();
            model.initFromPrototypes(Tensors.cat(emb, 0), labels, PROTOTYPE_SCALE);
            emb.forEach(Tensor::close);
        }
    }

    /** Accuracy, mean loss and confusion matrix of {@code model} on {@code emails}. */
    public Evaluation evaluate(MeanPoolClassifier model, Zo2Engine<ClassBatch> engine, List<SpamEmail> emails) {
        try (Scope s = Scope.open()) {
            List<ClassBatch> bs = batches(emails);
            List<double[]> r = engine.forwardMany(bs, (h, b, ctx) -> {
                Tensor logits = model.logits(h, b.mask(), ctx.ops());
                double loss = MeanPoolClassifier.loss(logits, b.labels()).itemDouble() * b.labels().size(0);
                long[] pred = logits.argmax(1, false).toLongArray(), truth = b.labels().toLongArray();
                double[] row = new double[1 + 2 * pred.length];
                row[0] = loss;
                for (int i = 0; i < pred.length; i++) {
                    row[1 + 2 * i] = truth[i];
                    row[2 + 2 * i] = pred[i];
                }
                return row;
            });
            long[][] conf = new long[2][2];
            double lossSum = 0;
            int n = 0, correct = 0;
            for (double[] row : r) {
                lossSum += row[0];
                for (int i = 1; i < row.length; i += 2) {
                    int t = (int) row[i], p = (int) row[i + 1];
                    conf[t][p]++;
                    n++;
                    if (t == p) correct++;
                }
            }
            return new Evaluation(n == 0 ? 0 : (double) correct / n, n == 0 ? 0 : lossSum / n, conf, n);
        }
    }

    @Override
    public void close() { tokenizer.close(); }

}
