package dev.frugal.dp.tasks;

import dev.frugal.InvalidSettingException;
import dev.frugal.model.ModelNotFoundException;
import dev.frugal.data.SpamAssassinCorpus;
import dev.frugal.data.SpamEmail;
import dev.frugal.data.Split;
import dev.frugal.model.EncoderModel;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.LayerOps;
import dev.frugal.model.MeanPoolClassifier;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Spam vs ham on the SpamAssassin corpus (default stratified split), DP fine-tuning of MiniLM (all-MiniLM-L6-v2) or another BERT encoder.
 *
 * <p>What is trained: the top {@code K} encoder blocks (all six by default) and a classifier head over the
 * L2-normalised, mask-averaged last hidden state (the sentence embedding MiniLM was trained to produce), scaled by 10
 * (a cosine classifier). The token, position and token-type embeddings and the blocks below the top K stay frozen at
 * their public pretrained values: noise on the 30,522 × 384 word table (half of MiniLM's parameters) would be spent
 * mostly on rows no training email uses. Because the frozen part is public and maps each email on its own, its output
 * is computed once per email and cached; each DP step runs only the trained blocks (forward and backward, through the
 * clipping engine) and the head. {@code K = 0} ({@code --freeze-encoder}) is a private linear probe.
 *
 * <p>The head starts at zero (uniform prediction), which costs no privacy; a class-prototype start would read the
 * private labels outside the DP mechanism.
 */
public final class SpamTask implements DpTask {
    /** Cosine-classifier scale: logits = W·(10·e) + b for a unit sentence embedding e. */
    private static final double HEAD_SCALE = 10.0;
    private static final int CHUNK = 32;

    private final EncoderModel encoder;
    private final int firstTrained; // blocks [firstTrained, L) are trained
    private final Tensor trainX, trainMask, trainY, testX, testMask, testY; // (N, T, C) or (N, C); (N, T); (N)
    private final LinkedHashMap<String, Tensor> trainable = new LinkedHashMap<>();
    private final double majority;
    private final String description;

    private SpamTask(EncoderModel encoder, int trainedBlocks, Split<SpamEmail> split, List<SpamEmail> train,
                     HfTokenizer tok, int seqLen) {
        this.encoder = encoder;
        int layers = encoder.blockParams().size();
        this.firstTrained = layers - trainedBlocks;
        Tensor[] tr = frozenPrefix(train, tok), te = frozenPrefix(split.test(), tok);
        trainX = tr[0];
        trainMask = tr[1];
        testX = te[0];
        testMask = te[1];
        trainY = labels(train);
        testY = labels(split.test());
        for (int i = firstTrained; i < layers; i++) trainable.putAll(encoder.blockParams().get(i).asMap());
        try (Scope s = Scope.open()) {
            trainable.put(MeanPoolClassifier.WEIGHT, Tensors.zeros(2, encoder.config().hiddenSize()).keep());
            trainable.put(MeanPoolClassifier.BIAS, Tensors.zeros(2).keep());
        }
        long spam = train.stream().filter(e -> e.label() == 1).count();
        long testSpam = split.test().stream().filter(e -> e.label() == 1).count();
        // the training majority class, scored on the test set
        majority = (2 * spam > train.size() ? testSpam : split.test().size() - testSpam) / (double) split.test().size();
        long encoderParams = 0;
        for (int i = firstTrained; i < layers; i++) encoderParams += encoder.blockParams().get(i).numel();
        description = "SpamAssassin " + train.size() + " train / " + split.test().size() + " test (" + testSpam
                + " spam), MiniLM-L6 (" + seqLen + " tokens): " + (trainedBlocks == 0
                ? "frozen encoder + DP linear head"
                : "DP fine-tuning of the top " + trainedBlocks + " of " + layers + " blocks (" + encoderParams
                + " parameters, embeddings frozen) + head");
    }

    /**
     * Opens the task on a MiniLM-style BERT directory (e.g. {@code ModelRef.resolve("minilm")}, imported once and
     * cached) with its {@code tokenizer.json}.
     *
     * @param modelDir      Hugging Face BERT directory with {@code tokenizer.json}
     * @param seqLen        tokens per email (>= 8)
     * @param maxTrain      use only the first this many training emails; 0 = all
     * @param trainedBlocks encoder blocks trained, counted from the top (0: frozen encoder, head only)
     */
    public static SpamTask open(Path modelDir, int seqLen, int maxTrain, int trainedBlocks) {
        if (seqLen < 8) throw new InvalidSettingException("seqLen", "must be >= 8 for spam emails, got " + seqLen);
        if (maxTrain < 0) throw new InvalidSettingException("maxTrain", "must be >= 1 (or left out for all), got " + maxTrain);
        Path tj = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tj)) throw new ModelNotFoundException(modelDir + " has no tokenizer.json to encode the emails");
        Split<SpamEmail> split = SpamAssassinCorpus.defaultSplit();
        List<SpamEmail> train = maxTrain > 0 && maxTrain < split.train().size() ? split.train().subList(0, maxTrain) : split.train();
        EncoderModel enc = Models.loadEncoder(modelDir, Device.CPU);
        int layers = enc.blockParams().size();
        if (trainedBlocks < 0 || trainedBlocks > layers) {
            enc.close();
            throw new InvalidSettingException("trainableBlocks", "must be in [0, " + layers + "] for " + modelDir.getFileName()
                    + ", got " + trainedBlocks);
        }
        try (HfTokenizer tok = HfTokenizer.fromFile(tj, new TokenizerOptions(seqLen, Padding.MAX_LENGTH, true))) {
            return new SpamTask(enc, trainedBlocks, split, train, tok, seqLen);
        } catch (RuntimeException e) {
            enc.close();
            throw e;
        }
    }

    /**
     * The frozen part's output for every email: hidden states {@code (N, T, C)} entering block {@code firstTrained}
     * (the sentence embeddings {@code (N, C)} when no block is trained), and the padding masks {@code (N, T)}.
     */
    private Tensor[] frozenPrefix(List<SpamEmail> emails, HfTokenizer tok) {
        List<Tensor> xs = new ArrayList<>(), masks = new ArrayList<>();
        try (GradMode off = GradMode.off()) {
            for (int i = 0; i < emails.size(); i += CHUNK) {
                try (Scope s = Scope.open()) {
                    Encoding e = tok.encode(emails.subList(i, Math.min(emails.size(), i + CHUNK)).stream().map(SpamEmail::text).toList());
                    Tensor ids = Tensors.fromLongs(e.ids()), mask = Tensors.fromLongs(e.attentionMask()); // (b, T)
                    ForwardContext ctx = encoder.context(ids, mask, LayerOps.PLAIN);
                    Tensor h = encoder.embed(ids, null, ctx);                                           // (b, T, C)
                    for (int l = 0; l < firstTrained; l++) h = encoder.block(l, h, ctx);
                    xs.add((firstTrained == encoder.blockParams().size() ? MeanPoolClassifier.sentenceEmbedding(h, mask) : h).keep());
                    masks.add(mask.keep());
                }
            }
        }
        try (Scope s = Scope.open()) {
            Tensor[] out = {Tensors.cat(xs, 0).keep(), Tensors.cat(masks, 0).keep()};
            xs.forEach(Tensor::close);
            masks.forEach(Tensor::close);
            return out;
        }
    }

    private static Tensor labels(List<SpamEmail> emails) {
        long[] y = emails.stream().mapToLong(SpamEmail::label).toArray();
        try (Scope s = Scope.open()) {
            return Tensors.fromLongs(y, y.length).keep();
        }
    }

    @Override
    public String describe() { return description; }

    @Override
    public long trainSize() { return trainY.size(0); }

    @Override
    public LinkedHashMap<String, Tensor> trainable() { return trainable; }

    @Override
    public Set<String> headParameters() { return Set.of(MeanPoolClassifier.WEIGHT, MeanPoolClassifier.BIAS); }

    /** Logits {@code (B, 2)} from the frozen part's output {@code x} and masks {@code (B, T)}. */
    private Tensor logits(Tensor x, Tensor mask, LayerOps ops) {
        Tensor e = x;
        if (firstTrained < encoder.blockParams().size()) {
            ForwardContext ctx = new ForwardContext(x.size(0), x.size(1), mask, null, ops, false, encoder.device());
            Tensor h = x;                                                                 // (B, T, C)
            for (int l = firstTrained; l < encoder.blockParams().size(); l++) h = encoder.block(l, h, ctx);
            e = MeanPoolClassifier.sentenceEmbedding(h, mask);                            // (B, C)
        }
        return ops.linear("frugal_head", e.mul(HEAD_SCALE), trainable.get(MeanPoolClassifier.WEIGHT),
                trainable.get(MeanPoolClassifier.BIAS));
    }

    @Override
    public Tensor perSampleLoss(long[] indices, LayerOps ops) {
        Tensor idx = Tensors.fromLongs(indices, indices.length);
        return NN.crossEntropyPerRow(logits(trainX.indexSelect(0, idx), trainMask.indexSelect(0, idx), ops),
                trainY.indexSelect(0, idx), -100);
    }

    @Override
    public Evaluation evaluate() {
        long n = testY.size(0), correct = 0;
        double loss = 0;
        try (GradMode off = GradMode.off()) {
            for (long start = 0; start < n; start += 2L * CHUNK) {
                try (Scope s = Scope.open()) {
                    long len = Math.min(2L * CHUNK, n - start);
                    Tensor lg = logits(testX.narrow(0, start, len), testMask.narrow(0, start, len), LayerOps.PLAIN);
                    Tensor y = testY.narrow(0, start, len);
                    loss += NN.crossEntropyPerRow(lg, y, -100).sum().itemDouble();
                    correct += lg.argmax(1, false).eq(y).to(DType.I64).sum().itemLong();
                }
            }
        }
        return new Evaluation((double) correct / n, loss / n, n);
    }

    @Override
    public double majorityBaseline() { return majority; }

    @Override
    public void close() {
        for (Tensor t : new Tensor[] {trainX, trainMask, trainY, testX, testMask, testY}) t.close();
        trainable.get(MeanPoolClassifier.WEIGHT).close();
        trainable.get(MeanPoolClassifier.BIAS).close();
        encoder.close();
    }
}
