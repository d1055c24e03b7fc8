package dev.frugal.interp;

/**
 * An edge of ACDC's graph: the {@code sender}'s output as part of the {@code receiver}'s input (ACDC's ADDITION
 * edge). Removing it means the receiver sees the sender's corrupted (or zero) output instead of its current one:
 * {@code input_r = resid - out_s + corrupted_s}.
 */
public record Edge(Node sender, Node receiver) implements Comparable<Edge> {
    public Edge {
        if (!sender.isSender()) throw new IllegalArgumentException(sender + " does not write to the residual stream");
        if (!receiver.isReceiver()) throw new IllegalArgumentException(receiver + " does not read the residual stream");
        if (sender.order() >= receiver.order())
            throw new IllegalArgumentException(sender + " does not come before " + receiver);
    }

    /** Parses {@code "sender->receiver"}. */
    public static Edge parse(String s) {
        String[] p = s.split("->");
        if (p.length != 2) throw new IllegalArgumentException("an edge reads 'sender->receiver', got '" + s + "'");
        return new Edge(Node.parse(p[0].trim()), Node.parse(p[1].trim()));
    }

    @Override
    public int compareTo(Edge o) {
        int c = receiver.compareTo(o.receiver);
        return c != 0 ? c : sender.compareTo(o.sender);
    }

    @Override
    public String toString() { return sender.label() + "->" + receiver.label(); }
}
