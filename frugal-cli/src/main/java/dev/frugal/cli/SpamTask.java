package dev.frugal.cli;

import dev.frugal.data.MiniLmArtifact;
import dev.frugal.data.SpamAssassinCorpus;
import dev.frugal.data.SpamEmail;
import dev.frugal.data.Split;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.EncoderModel;
import dev.frugal.model.LayerOps;
import dev.frugal.model.MeanPoolClassifier;
import dev.frugal.model.Models;
import dev.frugal.onnx.BertOnnxImport;
import dev.frugal.onnx.MiniLmOnnxMapping;
import dev.frugal.onnx.OnnxReader;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.text.Encoding;
import dev.frugal.text.HfTokenizer;
import dev.frugal.text.TokenizerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spam vs ham on the SpamAssassin corpus (default stratified split) with MiniLM (all-MiniLM-L6-v2): the pretrained
 * encoder is frozen and public, so each email's sentence embedding (mask-averaged, L2-normalised) is computed once;
 * DP-SGD trains the linear classifier {@code frugal_head} on the private labels. The embeddings depend on one email
 * each, so the per-example accounting covers the whole pipeline.
 */
final class SpamTask implements DpTask {
    private final Tensor trainE, trainY, testE, testY; // (N, C) float, (N) int64
    private final LinkedHashMap<String, Tensor> head = new LinkedHashMap<>();
    private final double majority;
    private final String description;

    private SpamTask(Tensor trainE, Tensor trainY, Tensor testE, Tensor testY, double majority, String description) {
        this.trainE = trainE;
        this.trainY = trainY;
        this.testE = testE;
        this.testY = testY;
        this.majority = majority;
        this.description = description;
        try (Scope s = Scope.open()) {
            head.put(MeanPoolClassifier.WEIGHT, Tensors.zeros(2, trainE.size(1)).keep());
            head.put(MeanPoolClassifier.BIAS, Tensors.zeros(2).keep());
        }
    }

    static SpamTask open(String model, int seqLen, int maxTrain) {
        if (!model.equals("minilm")) throw new IllegalArgumentException("--task spam supports --model minilm (a frozen"
                + " MiniLM encoder with a DP-trained head); got '" + model + "'");
        Split<SpamEmail> split = SpamAssassinCorpus.defaultSplit();
        List<SpamEmail> train = maxTrain > 0 && maxTrain < split.train().size() ? split.train().subList(0, maxTrain) : split.train();
        MiniLmArtifact.Files files = MiniLmArtifact.files();
        try (EncoderModel enc = loadMiniLm(files.onnx());
             HfTokenizer tok = HfTokenizer.fromFile(files.tokenizerJson(), TokenizerOptions.bert(seqLen))) {
            Tensor trE = embed(enc, tok, train), teE = embed(enc, tok, split.test());
            long spam = train.stream().filter(e -> e.label() == 1).count();
            double maj = Math.max(spam, train.size() - spam) / (double) train.size();
            long testSpam = split.test().stream().filter(e -> e.label() == 1).count();
            return new SpamTask(trE, labels(train), teE, labels(split.test()), maj,
                    "SpamAssassin " + train.size() + " train / " + split.test().size() + " test (" + testSpam
                            + " spam), frozen MiniLM-L6 embeddings (" + seqLen + " tokens) + DP linear head");
        }
    }

    /** The all-MiniLM-L6-v2 ONNX graph as a BertModel (via a temporary Hugging Face directory). */
    private static EncoderModel loadMiniLm(Path onnx) {
        try {
            BertOnnxImport imp = MiniLmOnnxMapping.map(OnnxReader.read(onnx));
            Path dir = Files.createTempDirectory("frugal-minilm");
            Files.writeString(dir.resolve("config.json"), imp.config().toHfConfigJson());
            try (Scope s = Scope.open()) {
                Map<String, Tensor> ts = new LinkedHashMap<>();
                imp.weights().forEach((n, w) -> ts.put(n, Tensors.fromFloats(w.data(), w.shape())));
                SafetensorsWriter.write(dir.resolve("model.safetensors"), ts, Map.of());
            }
            EncoderModel m = Models.loadEncoder(dir, Device.CPU);
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Tensor embed(EncoderModel enc, HfTokenizer tok, List<SpamEmail> emails) {
        java.util.ArrayList<Tensor> parts = new java.util.ArrayList<>();
        try (GradMode off = GradMode.off()) {
            for (int i = 0; i < emails.size(); i += 32) {
                try (Scope s = Scope.open()) {
                    List<String> texts = emails.subList(i, Math.min(emails.size(), i + 32)).stream().map(SpamEmail::text).toList();
                    Encoding e = tok.encode(texts);
                    Tensor ids = Tensors.fromLongs(e.ids()), mask = Tensors.fromLongs(e.attentionMask());
                    Tensor h = enc.lastHiddenState(ids, null, mask, LayerOps.PLAIN);
                    parts.add(MeanPoolClassifier.sentenceEmbedding(h, mask).keep());
                }
            }
        }
        try (Scope s = Scope.open()) {
            Tensor all = Tensors.cat(parts, 0).keep();
            parts.forEach(Tensor::close);
            return all;
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
    public long trainSize() { return trainE.size(0); }

    @Override
    public LinkedHashMap<String, Tensor> trainable() { return head; }

    /** Logits {@code (B, 2)}: a scaled cosine classifier like MeanPoolClassifier's head. */
    private Tensor logits(Tensor emb, LayerOps ops) {
        return ops.linear("frugal_head", emb.mul(10.0), head.get(MeanPoolClassifier.WEIGHT), head.get(MeanPoolClassifier.BIAS));
    }

    @Override
    public Tensor perSampleLoss(long[] indices, LayerOps ops) {
        Tensor idx = Tensors.fromLongs(indices, indices.length);
        return NN.crossEntropyPerRow(logits(trainE.indexSelect(0, idx), ops), trainY.indexSelect(0, idx), -100);
    }

    @Override
    public Evaluation evaluate() {
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            Tensor lg = logits(testE, LayerOps.PLAIN);
            double loss = NN.crossEntropyPerRow(lg, testY, -100).mean().itemDouble();
            double acc = lg.argmax(1, false).eq(testY).to(DType.F32).mean().itemDouble();
            return new Evaluation(acc, loss, testE.size(0));
        }
    }

    @Override
    public double majorityBaseline() { return majority; }

    @Override
    public void close() {
        for (Tensor t : new Tensor[] {trainE, trainY, testE, testY}) t.close();
        head.values().forEach(Tensor::close);
    }
}
