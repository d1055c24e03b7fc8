package dev.frugal.fewshot;

import java.util.Locale;

/** IDP and its ablations (issue #16: codebook off, BN alignment off, KL off). */
public enum IdpVariant {
    /** Everything on. */
    FULL,
    /** Second view = the target features themselves instead of their codebook reconstructions. */
    NO_CODEBOOK,
    /** BN layers keep the source running statistics throughout (only γ, β train): {@link BnStatistics#SOURCE}. */
    NO_BN_ALIGN,
    /** No KL term between the two views. */
    NO_KL;

    /**
     * {@code config} with this variant's switches; the variants other than {@link #NO_BN_ALIGN} keep {@code config}'s
     * statistics mode unless it is {@link BnStatistics#SOURCE}, which they replace by the default.
     */
    public IdpConfig apply(IdpConfig config) {
        BnStatistics aligned = config.bn() == BnStatistics.SOURCE ? IdpConfig.defaults().bn() : config.bn();
        return switch (this) {
            case FULL -> config.withCodebook(true).withBn(aligned).withKl(true);
            case NO_CODEBOOK -> config.withCodebook(false).withBn(aligned).withKl(true);
            case NO_BN_ALIGN -> config.withCodebook(true).withBn(BnStatistics.SOURCE).withKl(true);
            case NO_KL -> config.withCodebook(true).withBn(aligned).withKl(false);
        };
    }

    /** Label in tables and JSON keys: {@code idp}, {@code idp-no-codebook}, … */
    public String label() { return this == FULL ? "idp" : "idp-" + name().toLowerCase(Locale.ROOT).replace('_', '-'); }

    public static IdpVariant of(String s) {
        for (IdpVariant v : values()) if (v.label().equalsIgnoreCase(s.trim()) || v.name().equalsIgnoreCase(s.trim().replace('-', '_'))) return v;
        throw new IllegalArgumentException("unknown IDP variant '" + s + "'; choose idp, idp-no-codebook, idp-no-bn-align or idp-no-kl");
    }
}
