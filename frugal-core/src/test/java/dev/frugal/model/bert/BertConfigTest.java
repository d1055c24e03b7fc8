package dev.frugal.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.ConfigException;
import dev.frugal.model.HfConfig;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** BERT config.json parsing: defaults, label counts, and the inconsistencies refused with a {@link ConfigException}. */
class BertConfigTest {
    private static final Path FILE = Path.of("test-bert/config.json");

    /** The pretrained MiniLM sentence encoder's config (a bare BertModel). */
    private static ObjectNode miniLm() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("model_type", "bert").put("vocab_size", 30522).put("hidden_size", 384).put("num_hidden_layers", 6)
                .put("num_attention_heads", 12).put("intermediate_size", 1536).put("max_position_embeddings", 512)
                .put("type_vocab_size", 2).put("layer_norm_eps", 1e-12).put("hidden_act", "gelu");
        n.putArray("architectures").add("BertModel");
        return n;
    }

    private static BertConfig parse(Consumer<ObjectNode> edit) {
        ObjectNode n = miniLm();
        edit.accept(n);
        return BertConfig.from(HfConfig.of(n, FILE));
    }

    private static String refused(Consumer<ObjectNode> edit) {
        return assertThrows(ConfigException.class, () -> parse(edit)).getMessage();
    }

    @Test
    void miniLmParses() {
        BertConfig c = parse(n -> {});
        assertEquals(384, c.hiddenSize());
        assertEquals(32, c.headDim());
        assertEquals(1536, c.intermediateSize());
        assertEquals(BertConfig.Activation.GELU, c.activation());
        assertEquals(BertConfig.DEFAULT_NUM_LABELS, c.numLabels());
    }

    @Test
    void labelCountFromNumLabelsOrId2Label() {
        assertEquals(5, parse(n -> n.put("num_labels", 5)).numLabels());
        assertEquals(3, parse(n -> n.putObject("id2label").put("0", "a").put("1", "b").put("2", "c")).numLabels());
    }

    @Test
    void activations() {
        assertEquals(BertConfig.Activation.GELU_TANH, parse(n -> n.put("hidden_act", "gelu_new")).activation());
        assertEquals(BertConfig.Activation.RELU, parse(n -> n.put("hidden_act", "relu")).activation());
        assertTrue(refused(n -> n.put("hidden_act", "swish")).contains("hidden_act 'swish'"));
    }

    @Test
    void inconsistentConfigsAreRefused() {
        String m = refused(n -> n.put("num_attention_heads", 5));
        assertTrue(m.contains("not divisible") && m.contains(FILE.toString()), m);
        assertTrue(refused(n -> n.put("position_embedding_type", "relative_key")).contains("position_embedding_type"));
        assertTrue(refused(n -> n.remove("intermediate_size")).contains("intermediate_size"));
        assertTrue(refused(n -> n.put("model_type", "roberta")).contains("expected 'bert'"));
        assertTrue(refused(n -> n.put("is_decoder", true)).contains("is_decoder"));
        assertTrue(refused(n -> n.put("num_labels", 0)).contains("num_labels"));
        assertTrue(refused(n -> n.put("layer_norm_eps", 0.0)).contains("layer_norm_eps"));
    }

    @Test
    void layoutInvariants() {
        assertThrows(IllegalArgumentException.class, () -> new BertLayout("", true, true));
        assertThrows(IllegalArgumentException.class, () -> new BertLayout("bert.", false, true));
        assertThrows(IllegalArgumentException.class, () -> new BertLayout("roberta.", true, false));
    }
}
