package dev.frugal.depth.net;

import dev.frugal.tensor.ImageOps;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;

/**
 * The Fourier fusion module: the visual feature map goes to the frequency domain, a learned spectral gate
 * conditioned on the vibration features scales each channel's spectrum, and the inverse FFT brings it back:
 * <pre>X = rfft2(F)      G = 2·σ(A + W·v)      F' = F + irfft2(X ⊙ G)</pre>
 * with {@code F (B, C, h, w)} visual features, {@code X (B, C, h, w/2+1)} complex, {@code A (C, h, w/2+1)} a learned
 * per-frequency logit, {@code W·v (B, C, 1, 1)} the vibration features' per-channel shift. G starts at 1 (A = 0,
 * W small): the module starts as {@code 2F} and learns which spectral components the vibration should suppress or
 * amplify. The residual keeps the vision path intact.
 */
final class FourierFusion {
    private final Params p;
    private final long channels, h, w;

    FourierFusion(Params p, long channels, long h, long w, long vibHidden) {
        this.p = p;
        this.channels = channels;
        this.h = h;
        this.w = w;
        p.constant("fusion.spectral_logit", 0, channels, h, w / 2 + 1);
        p.weight("fusion.vib.weight", vibHidden * 10, channels, vibHidden); // small init: the gate starts near 1
        p.constant("fusion.vib.bias", 0, channels);
    }

    /** {@code f (B, C, h, w)}, {@code v (B, H)} → {@code (B, C, h, w)}. */
    Tensor forward(Tensor f, Tensor v) {
        long b = f.size(0);
        if (f.size(2) != h || f.size(3) != w)
            throw new IllegalArgumentException("Fourier fusion was built for " + h + "x" + w + " features, got " + f.size(2) + "x" + f.size(3));
        Tensor spectrum = ImageOps.rfft2(f);                                                         // (B, C, h, w/2+1) complex
        Tensor shift = NN.linear(v, p.get("fusion.vib.weight"), p.get("fusion.vib.bias")).view(b, channels, 1, 1);
        Tensor gate = p.get("fusion.spectral_logit").unsqueeze(0).add(shift).sigmoid().mul(2);    // (B, C, h, w/2+1) real
        return f.add(ImageOps.irfft2(spectrum.mul(gate), h, w));
    }
}
