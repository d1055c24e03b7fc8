package dev.frugal.fewshot;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The few-shot methods compared on the same episodes. */
public enum MethodName {
    /** Nearest class centroid of average-pooled backbone features, squared Euclidean distance (Snell et al. 2017). */
    PROTONET,
    /** BSCD-FSL's fine-tuning protocol: a linear head on pooled features, backbone frozen or fine-tuned. */
    FINETUNE,
    /** FRN-style ridge reconstruction of query local features from each class's support features, no alignment. */
    FRN,
    /** IDP: FRN classifier after BN-only alignment guided by intermediate domain proxies reconstructed from the codebook. */
    IDP;

    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    public static MethodName of(String s) {
        for (MethodName m : values()) if (m.cliName().equalsIgnoreCase(s.trim())) return m;
        throw new IllegalArgumentException("unknown method '" + s + "'; choose one of: "
                + Arrays.stream(values()).map(MethodName::cliName).collect(Collectors.joining(", ")));
    }
}
