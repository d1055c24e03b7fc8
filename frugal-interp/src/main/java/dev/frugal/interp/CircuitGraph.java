package dev.frugal.interp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ACDC's graph of a model (Conmy et al. 2023, section 3): every sender → every later receiver, where a head's
 * query, key and value inputs are separate receivers (TransformerLens' split q/k/v inputs). A 2-layer, 8-head
 * attention-only model has 9 senders before layer 1 and (1 + 8) · 24 + 17 = 233 edges.
 */
public final class CircuitGraph {
    private final int layers;
    private final int heads;
    private final boolean mlp;
    private final List<Node> senders = new ArrayList<>();
    private final List<Node> receivers = new ArrayList<>(); // reverse topological order, as ACDC visits them
    private final Map<Node, List<Edge>> incoming = new LinkedHashMap<>();
    private final Map<Node, Integer> senderIndex = new LinkedHashMap<>();
    private final List<Edge> edges = new ArrayList<>();

    /** The graph of a decoder (every block has an MLP). */
    public static CircuitGraph of(dev.frugal.model.ModelConfig cfg) {
        return new CircuitGraph(cfg.numLayers(), cfg.numHeads(), true);
    }

    /**
     * @param mlp whether blocks have an MLP (false: an attention-only graph, as the ACDC paper counts them)
     */
    public CircuitGraph(int layers, int heads, boolean mlp) {
        if (layers < 1 || heads < 1) throw new IllegalArgumentException("a graph needs ≥ 1 layer and ≥ 1 head, got "
                + layers + " and " + heads);
        this.layers = layers;
        this.heads = heads;
        this.mlp = mlp;
        senders.add(Node.embed());
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) senders.add(Node.head(l, h));
            if (mlp) senders.add(Node.mlp(l));
        }
        for (int i = 0; i < senders.size(); i++) senderIndex.put(senders.get(i), i);
        receivers.add(Node.output());
        for (int l = layers - 1; l >= 0; l--) {
            if (mlp) receivers.add(Node.mlp(l));
            for (int h = 0; h < heads; h++)
                for (Node.Kind k : new Node.Kind[] {Node.Kind.Q, Node.Kind.K, Node.Kind.V}) receivers.add(Node.input(k, l, h));
        }
        for (Node r : receivers) {
            List<Edge> in = new ArrayList<>();
            for (int i = senders.size() - 1; i >= 0; i--) { // later senders first, the embeddings last
                Node s = senders.get(i);
                if (s.order() < r.order()) in.add(new Edge(s, r));
            }
            incoming.put(r, List.copyOf(in));
        }
        for (int i = receivers.size() - 1; i >= 0; i--) edges.addAll(incoming.get(receivers.get(i)));
        Collections.sort(edges);
    }

    public int layers() { return layers; }

    public int heads() { return heads; }

    public boolean hasMlp() { return mlp; }

    /** Senders in topological order; {@link #senderIndex} indexes this list. */
    public List<Node> senders() { return Collections.unmodifiableList(senders); }

    /** Receivers in the order ACDC visits them: the output first, then backwards through the layers. */
    public List<Node> receivers() { return Collections.unmodifiableList(receivers); }

    /** The edges into {@code receiver}, in the order ACDC tests them (later senders first). */
    public List<Edge> incoming(Node receiver) {
        List<Edge> in = incoming.get(receiver);
        if (in == null) throw new IllegalArgumentException(receiver + " is not a receiver of this graph");
        return in;
    }

    /** Every edge, sorted by receiver then sender. */
    public List<Edge> edges() { return Collections.unmodifiableList(edges); }

    public int senderIndex(Node sender) {
        Integer i = senderIndex.get(sender);
        if (i == null) throw new IllegalArgumentException(sender + " is not a sender of this graph");
        return i;
    }

    /** True when {@code e} belongs to this graph. */
    public boolean contains(Edge e) { return incoming.containsKey(e.receiver()) && incoming.get(e.receiver()).contains(e); }
}
