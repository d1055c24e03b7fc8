package dev.frugal.zo.tasks;

import dev.frugal.InvalidSettingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.io.FrugalIoException;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Tensors;
import dev.frugal.text.HfTokenizer;
import dev.frugal.text.Padding;
import dev.frugal.text.TokenizerOptions;
import dev.frugal.zo.BatchSource;
import dev.frugal.zo.EpochSampler;
import dev.frugal.zo.LmBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Causal-LM training data from a file: plain text (tokenised as one stream) or JSON lines, each either
 * {@code {"text": "..."}} (tokenised) or {@code {"input_ids": [..]}} (used as is, for models without a tokenizer).
 * The token stream of all lines is cut into sequences of {@code seqLen}; the last {@code evalFraction} of the
 * sequences are held out for evaluation.
 */
public final class LmTextData {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<long[]> train;
    private final List<long[]> eval;
    private final Device device;

    private LmTextData(List<long[]> train, List<long[]> eval, Device device) {
        this.train = train;
        this.eval = eval;
        this.device = device;
    }

    /**
     * Reads {@code file}; {@code tokenizerJson} may be null when the file holds {@code input_ids}.
     *
     * @throws FrugalIoException naming the file and the line when it cannot be used
     */
    public static LmTextData read(Path file, Path tokenizerJson, int seqLen, double evalFraction, long vocabSize,
                                  Device device) {
        if (!Files.isRegularFile(file)) throw new FrugalIoException(file + ": no such data file");
        if (seqLen < 2) throw new InvalidSettingException("seqLen", "must be >= 2, got " + seqLen);
        List<Long> stream = new ArrayList<>();
        boolean jsonl = file.getFileName().toString().endsWith(".jsonl") || file.getFileName().toString().endsWith(".json");
        HfTokenizer tok = null;
        try {
            List<String> lines = Files.readAllLines(file);
            if (jsonl) {
                for (int i = 0; i < lines.size(); i++) {
                    String l = lines.get(i).strip();
                    if (l.isEmpty()) continue;
                    JsonNode n;
                    try {
                        n = JSON.readTree(l);
                    } catch (IOException e) {
                        throw new FrugalIoException(file + ":" + (i + 1) + ": not valid JSON: " + e.getMessage());
                    }
                    if (n.has("input_ids")) {
                        for (JsonNode id : n.get("input_ids")) {
                            long v = id.asLong(-1);
                            if (!id.isIntegralNumber() || v < 0 || v >= vocabSize) throw new FrugalIoException(file + ":"
                                    + (i + 1) + ": token id " + id + " is outside the model's vocabulary [0, " + vocabSize + ")");
                            stream.add(v);
                        }
                    } else if (n.has("text")) {
                        if (tok == null) tok = tokenizer(tokenizerJson, file);
                        for (long v : tok.encodeIds(n.get("text").asText())) stream.add(v);
                    } else {
                        throw new FrugalIoException(file + ":" + (i + 1) + ": a line needs \"text\" or \"input_ids\"");
                    }
                }
            } else {
                tok = tokenizer(tokenizerJson, file);
                for (long v : tok.encodeIds(String.join("\n", lines))) stream.add(v);
            }
        } catch (IOException e) {
            throw new FrugalIoException(file + ": cannot read: " + e.getMessage(), e);
        } finally {
            if (tok != null) tok.close();
        }
        List<long[]> seqs = new ArrayList<>();
        for (int s = 0; s + seqLen <= stream.size(); s += seqLen) {
            long[] q = new long[seqLen];
            for (int k = 0; k < seqLen; k++) q[k] = stream.get(s + k);
            seqs.add(q);
        }
        if (seqs.size() < 2) throw new FrugalIoException(file + ": only " + stream.size() + " tokens: need at least "
                + 2 * seqLen + " for one training and one evaluation sequence of seqLen " + seqLen);
        int nEval = Math.max(1, (int) Math.round(seqs.size() * evalFraction));
        return new LmTextData(List.copyOf(seqs.subList(0, seqs.size() - nEval)),
                List.copyOf(seqs.subList(seqs.size() - nEval, seqs.size())), device);
    }

    private static HfTokenizer tokenizer(Path tokenizerJson, Path file) {
        if (tokenizerJson == null || !Files.isRegularFile(tokenizerJson)) throw new FrugalIoException(file
                + ": text needs a tokenizer, but the model directory has no tokenizer.json: give a tokenizer.json (tokenizerJson) or"
                + " give JSON lines with \"input_ids\"");
        return HfTokenizer.fromFile(tokenizerJson, new TokenizerOptions(Integer.MAX_VALUE, Padding.NONE, false));
    }

    public int trainSequences() { return train.size(); }

    public int evalSequences() { return eval.size(); }

    /** Training batches of {@code batch} sequences, {@link EpochSampler} order. */
    public BatchSource<LmBatch> trainBatches(int batch, long seed) {
        if (batch > train.size()) throw new InvalidSettingException("batch", "(" + batch + ") exceeds the " + train.size()
                + " training sequences: choose at most " + train.size() + ", or a shorter sequence length");
        EpochSampler sampler = new EpochSampler(train.size(), batch, seed);
        return t -> {
            int[] idx = sampler.indices(t);
            long[][] rows = new long[idx.length][];
            for (int j = 0; j < idx.length; j++) rows[j] = train.get(idx[j]);
            return LmBatch.of(Tensors.fromLongs(rows).to(device), null);
        };
    }

    /** The held-out sequences in batches of {@code batch}. */
    public List<LmBatch> evalBatches(int batch) {
        if (batch < 1) throw new InvalidSettingException("batch", "must be >= 1, got " + batch);
        List<LmBatch> out = new ArrayList<>();
        for (int i = 0; i < eval.size(); i += batch) {
            List<long[]> part = eval.subList(i, Math.min(eval.size(), i + batch));
            out.add(LmBatch.of(Tensors.fromLongs(part.toArray(new long[0][])).to(device), null));
        }
        return out;
    }
}
