package dev.frugal.interp;

/**
 * Where one patched forward computes in float32 and where from low-precision weights (PAHQ). {@link Precision#FP32}
 * has one arrangement, {@link FullPrecision}; under PAHQ a forward tested at receiver r runs r's component (the head
 * of a q/k/v input, the MLP, or the unembedding for the output) in float32 and the rest low, {@link Investigating};
 * a forward whose configurations differ in several components shares its arrangement with no other,
 * {@link Unshared}. ACDC reuses the metric of the current circuit as a baseline only between forwards of one
 * arrangement, so that each delta compares two forwards that differ only in the tested edge.
 */
public sealed interface Arrangement permits Arrangement.FullPrecision, Arrangement.Investigating, Arrangement.Unshared {
    /**
     * The arrangement of a forward under {@code precision} whose configurations differ only in edges into
     * {@code receiver} (null: no such promise).
     */
    static Arrangement of(Precision precision, Node receiver) {
        if (precision == Precision.FP32) return new FullPrecision();
        if (receiver == null) return new Unshared();
        return new Investigating(switch (receiver.kind()) {
            case Q, K, V -> Node.head(receiver.layer(), receiver.head());
            default -> receiver;
        });
    }

    /** Whether a metric computed under this arrangement may serve as the baseline of a forward under {@code other}. */
    default boolean shares(Arrangement other) { return equals(other); }

    /** Everything float32. */
    record FullPrecision() implements Arrangement {}

    /** PAHQ: {@code component} (a head, an MLP or the output) in float32, everything else low. */
    record Investigating(Node component) implements Arrangement {
        public Investigating {
            if (component.kind() != Node.Kind.HEAD && component.kind() != Node.Kind.MLP
                    && component.kind() != Node.Kind.OUTPUT)
                throw new IllegalArgumentException(component + " is not a component (a head, an MLP or the output)");
        }
    }

    /** PAHQ over configurations that differ anywhere: equal only to itself. */
    final class Unshared implements Arrangement {
        @Override
        public String toString() { return "Unshared"; }
    }
}
