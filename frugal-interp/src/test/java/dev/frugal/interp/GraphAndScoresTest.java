package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GraphAndScoresTest {
    @Test
    void labelsRoundTripAndBadOnesSayWhatIsAccepted() {
        for (String s : List.of("embed", "a1.3", "a0.2.q", "a0.2.k", "a2.0.v", "m4", "output"))
            assertEquals(s, Node.parse(s).label());
        assertEquals(Edge.parse("a0.1->a1.2.k"), new Edge(Node.head(0, 1), Node.input(Node.Kind.K, 1, 2)));
        var e = assertThrows(IllegalArgumentException.class, () -> Node.parse("head3"));
        assertTrue(e.getMessage().contains("aL.H"));
        assertThrows(IllegalArgumentException.class, () -> Edge.parse("a1.0->a0.0.q")); // backwards
        assertThrows(IllegalArgumentException.class, () -> Edge.parse("a1.0.q->output")); // a receiver as sender
    }

    @Test
    void everyReceiverComesAfterItsSenders() {
        CircuitGraph g = new CircuitGraph(3, 2, true);
        for (Node r : g.receivers())
            for (Edge e : g.incoming(r)) assertTrue(e.sender().order() < r.order(), e.toString());
        assertTrue(g.contains(Edge.parse("a0.1->m0")), "a head feeds the MLP of its own block");
        assertEquals(Node.output(), g.receivers().get(0));
    }

    @Test
    void rocAndF1() {
        Edge a = Edge.parse("embed->output"), b = Edge.parse("embed->a0.0.q"), c = Edge.parse("a0.0->output"),
                d = Edge.parse("embed->a0.0.v");
        Set<Edge> all = Set.of(a, b, c, d), truth = Set.of(a, c);
        assertEquals(1.0, Roc.auc(List.of(Set.of(a, c)), truth, all), 1e-12);
        assertEquals(0.5, Roc.auc(List.of(Set.of()), truth, all), 1e-12);
        assertEquals(0.75, Roc.auc(List.of(Set.of(a)), truth, all), 1e-12); // (0, .5): .25 + .5
        assertEquals(2.0 / 3, Circuit.f1(Set.of(a, b), Set.of(a)), 1e-12);
        assertEquals(1.0, Circuit.f1(Set.of(), Set.of()), 1e-12);
    }

    @Test
    void settingsRefuseNonsense() {
        assertThrows(dev.frugal.InvalidSettingException.class, () -> AcdcSettings.reference(-0.1));
        assertThrows(dev.frugal.InvalidSettingException.class, () -> AcdcSettings.reference(Double.NaN));
        assertThrows(dev.frugal.InvalidSettingException.class, () -> new AcdcSettings(0.1, AcdcSettings.Ablation.ZERO, Precision.FP32, true, 0));
        assertThrows(IllegalArgumentException.class, () -> TinyGpt2.gpt(10, 30, 1, 4, 8, 16));
        assertEquals(Precision.INT8, Precision.parse("pahq"));
    }
}
