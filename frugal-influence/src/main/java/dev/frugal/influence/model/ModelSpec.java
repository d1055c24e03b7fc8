package dev.frugal.influence.model;

import java.util.Map;

/**
 * What a checkpoint says about its model: the kind and the layer sizes. Two specs are equal exactly when their flat
 * parameter layouts are.
 *
 * @param kind     the architecture
 * @param features input features F ≥ 1
 * @param hidden   hidden units H ≥ 1 for an MLP, 0 for logistic regression
 * @param classes  classes C ≥ 2
 */
public record ModelSpec(Kind kind, int features, int hidden, int classes) {

    /** The architectures. */
    public enum Kind {
        /** Multinomial logistic regression: convex in θ. */
        LOGREG,
        /** One tanh hidden layer. */
        MLP;

        /** The name used on the command line and in checkpoints. */
        public String cliName() { return name().toLowerCase(java.util.Locale.ROOT); }

        /** Parses {@link #cliName()}. */
        public static Kind parse(String s) {
            for (Kind k : values()) if (k.cliName().equals(s)) return k;
            throw new dev.frugal.InvalidSettingException("model", "'" + s + "' is not a model here: use logreg or mlp");
        }
    }

    public ModelSpec {
        java.util.Objects.requireNonNull(kind, "kind");
        if (features < 1 || classes < 2) {
            throw new IllegalArgumentException("a model needs >= 1 feature and >= 2 classes, got " + features + " and "
                    + classes);
        }
        if ((kind == Kind.MLP) != (hidden > 0) || hidden < 0) {
            throw new dev.frugal.InvalidSettingException("hidden", "is " + hidden + " for " + kind.cliName() + ": an MLP needs hidden >= 1,"
                    + " logistic regression hidden = 0");
        }
    }

    /** The model this spec describes. */
    public FlatModel build() {
        return switch (kind) {
            case LOGREG -> new LogisticRegression(features, classes);
            case MLP -> new Mlp(features, hidden, classes);
        };
    }

    /** Checkpoint metadata entries. */
    public Map<String, String> metadata() {
        return Map.of("model", kind.cliName(), "features", Integer.toString(features), "hidden",
                Integer.toString(hidden), "classes", Integer.toString(classes));
    }

    /** Reads {@link #metadata()} back. */
    public static ModelSpec fromMetadata(Map<String, String> m) {
        return new ModelSpec(Kind.parse(m.get("model")), Integer.parseInt(m.get("features")),
                Integer.parseInt(m.get("hidden")), Integer.parseInt(m.get("classes")));
    }
}
