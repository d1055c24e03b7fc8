package dev.frugal.influence.method;

/** The influence methods, each scoring (training example, test example) pairs and self-influence. */
public enum Method {
    /** Hessian-based influence at SAM's fixed point: the Jacobian of SAM's update, perturbed weights included. */
    SAM_HIF,
    /** Gradient-trajectory influence for SAM: gradients at the perturbed weights along the saved trajectory. */
    SAM_GIF,
    /** Classic influence function (Koh &amp; Liang 2017) at the trained weights, ignoring SAM. */
    IF,
    /** TracIn (Pruthi et al. 2020): checkpoint gradients without the perturbation. */
    TRACIN,
    /** The training loss ℓ_i(θ*) as the score: the baseline every ranking must beat. */
    LOSS;

    /** {@code sam-hif}, {@code sam-gif}, {@code if}, {@code tracin}, {@code loss}. */
    public String cliName() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }

    /** {@code sam_hif} etc., for JSON keys. */
    public String key() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** Parses {@link #cliName()}. */
    public static Method parse(String s) {
        for (Method m : values()) if (m.cliName().equals(s)) return m;
        throw new dev.frugal.InvalidSettingException("method", "'" + s + "' is not one of sam-hif, sam-gif, if, tracin, loss");
    }

    /** Whether the method inverts a Hessian (and so takes a solver and damping). */
    public boolean usesSolver() { return this == SAM_HIF || this == IF; }

    /** Whether the method needs the saved trajectory. */
    public boolean usesTrajectory() { return this == SAM_GIF || this == TRACIN; }
}
