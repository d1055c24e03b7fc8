package dev.frugal.dp.tasks;

import dev.frugal.InvalidSettingException;
import dev.frugal.io.FrugalIoException;
import dev.frugal.model.CausalLM;
import dev.frugal.model.LayerOps;
import dev.frugal.model.Models;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.text.Encoding;
import dev.frugal.text.HfTokenizer;
import dev.frugal.text.Padding;
import dev.frugal.text.TokenizerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Causal-LM fine-tuning of a decoder directory on a text file (one example per line; the last 10% held out): the
 * per-example loss is the mean next-token cross-entropy over the example's real tokens; accuracy is next-token
 * accuracy on the held-out lines.
 */
public final class LmTask implements DpTask {
    private final CausalLM model;
    private final Tensor trainIds, trainMask, testIds, testMask; // (N, T) int64
    private final String description;

    private LmTask(CausalLM model, Tensor trainIds, Tensor trainMask, Tensor testIds, Tensor testMask, String d) {
        this.model = model;
        this.trainIds = trainIds;
        this.trainMask = trainMask;
        this.testIds = testIds;
        this.testMask = testMask;
        this.description = d;
    }

    /**
     * @param dir       Hugging Face decoder directory
     * @param tokenizer the {@code tokenizer.json} that encodes {@code text} (e.g. {@code dir/tokenizer.json})
     * @param text      training text, one example per line (the last 10% held out)
     * @param seqLen    tokens per example, 2 .. the model's context
     * @param maxTrain  use only the first this many training lines; 0 = all
     */
    public static LmTask open(Path dir, Path tokenizer, Path text, int seqLen, int maxTrain) {
        if (seqLen < 2) throw new InvalidSettingException("seqLen", "must be >= 2, got " + seqLen);
        if (maxTrain < 0) throw new InvalidSettingException("maxTrain", "must be >= 1 (or left out for all), got " + maxTrain);
        if (Files.isDirectory(text)) throw new FrugalIoException(text + " is a directory: pass a text file, one example per line");
        if (!Files.isRegularFile(tokenizer)) throw new FrugalIoException(tokenizer + " not found: the text needs a tokenizer.json"
                + " (give one as the tokenizer parameter)");
        List<String> lines;
        try {
            lines = Files.readAllLines(text).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new FrugalIoException("cannot read " + text + ": " + e.getMessage(), e);
        }
        if (lines.size() < 10) throw new FrugalIoException(text + " has " + lines.size() + " non-blank lines; need >= 10"
                + " (the last 10% are held out for evaluation)");
        int nTest = Math.max(1, lines.size() / 10);
        List<String> train = lines.subList(0, lines.size() - nTest), test = lines.subList(lines.size() - nTest, lines.size());
        if (maxTrain > 0 && maxTrain < train.size()) train = train.subList(0, maxTrain);
        CausalLM m = Models.loadCausalLM(dir, Device.CPU);
        if (seqLen > m.config().maxPositions()) {
            int ctx = m.config().maxPositions();
            m.close();
            throw new InvalidSettingException("seqLen", "(" + seqLen + ") exceeds the model's context of " + ctx + " positions");
        }
        try (HfTokenizer tok = HfTokenizer.fromFile(tokenizer, new TokenizerOptions(seqLen, Padding.MAX_LENGTH, false));
             Scope s = Scope.open()) {
            Encoding a = tok.encode(train), b = tok.encode(test);
            return new LmTask(m, Tensors.fromLongs(a.ids()).keep(), Tensors.fromLongs(a.attentionMask()).keep(),
                    Tensors.fromLongs(b.ids()).keep(), Tensors.fromLongs(b.attentionMask()).keep(),
                    dir.getFileName() + " on " + text.getFileName() + ": " + train.size() + " train / " + test.size()
                            + " test lines of <= " + seqLen + " tokens");
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Per-row mean CE over real next tokens, and the correct-prediction count. {@code ids, mask (B, T)}. */
    private Tensor[] lossAndCorrect(Tensor ids, Tensor mask, LayerOps ops) {
        long b = ids.size(0), t = ids.size(1);
        Tensor logits = model.logits(ids, mask, null, ops);                                  // (B, T, V)
        long v = logits.size(2);
        Tensor pred = logits.narrow(1, 0, t - 1).reshape(b * (t - 1), v);
        Tensor tgt = ids.narrow(1, 1, t - 1).reshape(b * (t - 1));
        Tensor real = mask.narrow(1, 1, t - 1).to(DType.F32);                                // (B, T-1)
        Tensor ce = NN.crossEntropyPerRow(pred, tgt, -100).view(b, t - 1).mul(real);
        Tensor perRow = ce.sum(1, false).div(real.sum(1, false).clampMin(1));
        Tensor correct = pred.argmax(1, false).eq(tgt).to(DType.F32).view(b, t - 1).mul(real).sum();
        return new Tensor[] {perRow, correct, real.sum()};
    }

    @Override
    public String describe() { return description; }

    @Override
    public long trainSize() { return trainIds.size(0); }

    @Override
    public java.util.LinkedHashMap<String, Tensor> trainable() { return model.namedParameters(); }

    @Override
    public Tensor perSampleLoss(long[] indices, LayerOps ops) {
        Tensor idx = Tensors.fromLongs(indices, indices.length);
        return lossAndCorrect(trainIds.indexSelect(0, idx), trainMask.indexSelect(0, idx), ops)[0];
    }

    @Override
    public Evaluation evaluate() {
        double loss = 0, correct = 0, tokens = 0;
        long n = testIds.size(0);
        try (GradMode off = GradMode.off()) {
            for (long s0 = 0; s0 < n; s0 += 16) {
                try (Scope s = Scope.open()) {
                    long len = Math.min(16, n - s0);
                    Tensor[] r = lossAndCorrect(testIds.narrow(0, s0, len), testMask.narrow(0, s0, len), LayerOps.PLAIN);
                    loss += r[0].sum().itemDouble();
                    correct += r[1].itemDouble();
                    tokens += r[2].itemDouble();
                }
            }
        }
        return new Evaluation(correct / Math.max(1, tokens), loss / n, n);
    }

    @Override
    public double majorityBaseline() { return Double.NaN; }

    @Override
    public void close() {
        for (Tensor t : new Tensor[] {trainIds, trainMask, testIds, testMask}) t.close();
        model.close();
    }
}
