package dev.frugal.dp;

import java.util.List;

/**
 * Thrown before any gradient is computed when trainable parameters cannot be clipped per sample (like Opacus's
 * module validator): a parameter the forward pass never routed through a supported layer
 * ({@link dev.frugal.model.LayerOps} linear, conv1d, embedding, layerNorm, rmsNorm) would get a gradient whose
 * per-sample sensitivity is unbounded, or none at all.
 */
public final class UnclippableLayersException extends PrivacyGuaranteeException {
    private final List<String> parameters;

    public UnclippableLayersException(List<String> parameters) {
        super("cannot clip per-sample gradients of " + parameters.size() + " trainable parameter(s), because the forward"
                + " pass did not route them through a supported layer (linear, conv1d, embedding, layerNorm, rmsNorm)"
                + " of the DP LayerOps: " + parameters + ". Without clipping their sensitivity is unbounded and the"
                + " privacy guarantee would not hold: freeze them (leave them out of the trainable set) or route them"
                + " through LayerOps");
        this.parameters = List.copyOf(parameters);
    }

    /** The parameter names that cannot be clipped. */
    public List<String> parameters() { return parameters; }
}
