package dev.frugal.interp;

/**
 * A node of ACDC's computational graph. Senders write into the residual stream (the embeddings, each head's output,
 * each MLP); receivers read from it (each head's query, key and value input, each MLP's input, the final residual).
 * A head is split into its three inputs, which feed its output through ACDC's untested placeholder edges.
 *
 * @param layer the block (-1 for the embeddings, {@link #OUTPUT_LAYER} for the output)
 * @param head  the head index, -1 for non-head nodes
 */
public record Node(Kind kind, int layer, int head) implements Comparable<Node> {
    /** What a node is. */
    public enum Kind { EMBED, Q, K, V, HEAD, MLP, OUTPUT }

    public Node {
        boolean headKind = kind == Kind.Q || kind == Kind.K || kind == Kind.V || kind == Kind.HEAD;
        if (headKind != (head >= 0)) throw new IllegalArgumentException(kind + " node needs " + (headKind ? "a" : "no")
                + " head index, got " + head);
    }

    /** The layer index of the output node: after every block of any model. */
    public static final int OUTPUT_LAYER = 1 << 20;

    public static Node embed() { return new Node(Kind.EMBED, -1, -1); }

    public static Node head(int layer, int head) { return new Node(Kind.HEAD, layer, head); }

    public static Node input(Kind qkv, int layer, int head) { return new Node(qkv, layer, head); }

    public static Node mlp(int layer) { return new Node(Kind.MLP, layer, -1); }

    public static Node output() { return new Node(Kind.OUTPUT, OUTPUT_LAYER, -1); }

    /** Writes into the residual stream. */
    public boolean isSender() { return kind == Kind.EMBED || kind == Kind.HEAD || kind == Kind.MLP; }

    /** Reads from the residual stream. */
    public boolean isReceiver() { return kind != Kind.EMBED && kind != Kind.HEAD; }

    /**
     * A position in topological order: embeddings, then per layer the heads' inputs, the heads, the MLP; the output
     * last. Senders read by a receiver always sort before it.
     */
    public int order() {
        return switch (kind) {
            case EMBED -> 0;
            case Q, K, V -> 1 + layer * 4 + 0;
            case HEAD -> 1 + layer * 4 + 1;
            case MLP -> 1 + layer * 4 + 2;
            case OUTPUT -> 1 + layer * 4;
        };
    }

    @Override
    public int compareTo(Node o) {
        int c = Integer.compare(order(), o.order());
        if (c != 0) return c;
        c = Integer.compare(head, o.head);
        return c != 0 ? c : kind.compareTo(o.kind);
    }

    /** ACDC-style short name: {@code embed}, {@code a1.3.q}, {@code a1.3}, {@code m0}, {@code output}. */
    public String label() {
        return switch (kind) {
            case EMBED -> "embed";
            case Q -> "a" + layer + "." + head + ".q";
            case K -> "a" + layer + "." + head + ".k";
            case V -> "a" + layer + "." + head + ".v";
            case HEAD -> "a" + layer + "." + head;
            case MLP -> "m" + layer;
            case OUTPUT -> "output";
        };
    }

    /** Parses {@link #label()}. */
    public static Node parse(String label) {
        if (label.equals("embed")) return embed();
        if (label.equals("output")) return output();
        if (label.startsWith("m")) return mlp(Integer.parseInt(label.substring(1)));
        if (label.startsWith("a")) {
            String[] p = label.substring(1).split("\\.");
            int l = Integer.parseInt(p[0]), h = Integer.parseInt(p[1]);
            if (p.length == 2) return head(l, h);
            return input(switch (p[2]) {
                case "q" -> Kind.Q;
                case "k" -> Kind.K;
                case "v" -> Kind.V;
                default -> throw new IllegalArgumentException("unknown head input '" + p[2] + "' in " + label);
            }, l, h);
        }
        throw new IllegalArgumentException("not a node label: '" + label + "' (embed, aL.H[.q|.k|.v], mL, output)");
    }

    @Override
    public String toString() { return label(); }
}
