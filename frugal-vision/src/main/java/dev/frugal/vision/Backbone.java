package dev.frugal.vision;

import java.util.Locale;

/** The backbone architectures: the residual networks of the few-shot literature, narrowed for small images. */
public enum Backbone {
    /**
     * ResNet-10 (BSCD-FSL's backbone): stem conv 3×3 → BN → ReLU, then four basic blocks (two 3×3 convs with BN, a
     * 1×1 conv + BN shortcut where the shape changes) with strides 1, 2, 2, 2.
     */
    RESNET10,
    /**
     * ResNet-12 (the few-shot variant): four blocks of three 3×3 convs with BN and a 1×1 conv + BN shortcut, each block
     * followed by 2×2 max pooling, except the last when the map is already at most 4×4.
     */
    RESNET12;

    /** The name on the command line and in checkpoints. */
    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    /** The architecture called {@code name}; the message lists the choices. */
    public static Backbone of(String name) {
        for (Backbone b : values()) if (b.cliName().equalsIgnoreCase(name.trim())) return b;
        throw new IllegalArgumentException("unknown backbone '" + name + "'; choose resnet10 or resnet12");
    }
}
