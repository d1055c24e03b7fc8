package dev.frugal.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.data.SpamEmail;
import dev.frugal.data.SpamSmall;
import dev.frugal.data.Split;
import dev.frugal.model.SentenceEncoder;
import dev.frugal.onnx.MiniLmImport;
import dev.frugal.onnx.MiniLmResources;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The probe end to end on real data: frozen MiniLM embeddings of 120 spam-small emails beat the majority class. */
class SpamProbeTest {

    /** Emails are cut to 64 tokens: the spam signal is in the opening lines, and it keeps the test well under 60 s. */
    static final int TOKENS = 64;

    @Test
    void minilmProbeOn120EmailsBeatsTheMajorityBaseline(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        long t0 = System.nanoTime();
        Path dir = tmp.resolve("minilm"); // the imported model (87 MB), deleted after the test
        MiniLmImport.importTo(MiniLmResources.file(MiniLmResources.ONNX),
                MiniLmResources.file(MiniLmResources.TOKENIZER), dir);
        Split<SpamEmail> split = SpamSmall.split();
        List<SpamEmail> train = split.train().subList(0, 120);
        List<SpamEmail> test = split.test();
        int[] trainY = train.stream().mapToInt(SpamEmail::label).toArray();
        int[] testY = test.stream().mapToInt(SpamEmail::label).toArray();
        try (SentenceEncoder enc = SentenceEncoder.load(dir, Device.CPU, TOKENS); Scope s = Scope.open();
             Tensor trainX = enc.embedAll(train.stream().map(SpamEmail::text).toList(), 32, null);
             Tensor testX = enc.embedAll(test.stream().map(SpamEmail::text).toList(), 32, null);
             LinearProbe probe = LinearProbe.train(trainX, trainY, 2, ProbeConfig.defaults(), null)) {
            Metrics m = probe.evaluate(testX, testY, 1);
            Metrics base = LinearProbe.majorityBaseline(trainY, testY, 2, 1);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("spam-small probe (120 train, %d test, %d tokens): accuracy %.4f precision %.4f recall"
                    + " %.4f F1 %.4f; majority %.4f; %s; %.1f s%n", test.size(), TOKENS, m.accuracy(), m.precision(),
                    m.recall(), m.f1(), base.accuracy(), m.confusion(), seconds);
            assertTrue(m.accuracy() > base.accuracy(), m.accuracy() + " <= majority " + base.accuracy());
            assertTrue(m.f1() > 0.5, "F1 " + m.f1());
        }
    }
}
