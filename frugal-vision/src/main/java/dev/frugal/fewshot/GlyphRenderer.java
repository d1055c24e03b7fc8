package dev.frugal.fewshot;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensors;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders characters as small grey images with Java2D: white glyph outline on black (as MNIST), centred, scaled to
 * the image, with a small seeded affine jitter (rotation ±10°, scale 0.8–1.0, shift ±1.5 px). An Omniglot-like
 * domain: a class is a character, its examples are the font families and weights times the jitters.
 */
public final class GlyphRenderer {
    private GlyphRenderer() {}

    /** Loads TrueType fonts. @throws IllegalStateException naming an unreadable font file */
    public static List<Font> fonts(List<Path> files) {
        List<Font> out = new ArrayList<>();
        for (Path f : files) {
            try {
                out.add(Font.createFont(Font.TRUETYPE_FONT, f.toFile()).deriveFont(64f));
            } catch (FontFormatException | IOException e) {
                throw new IllegalStateException(f + " is not a readable TrueType font (" + e.getMessage()
                        + "); run `frugal data fetch noto` to reinstall the fonts", e);
            }
        }
        return out;
    }

    /** The code points every font can draw with a non-empty outline, in order, at most {@code max}. */
    public static List<Integer> drawable(List<Font> fonts, List<Integer> candidates, int max) {
        List<Integer> out = new ArrayList<>();
        FontRenderContext frc = new FontRenderContext(null, true, true);
        for (int cp : candidates) {
            if (out.size() == max) break;
            boolean ok = true;
            for (Font f : fonts) {
                if (!f.canDisplay(cp) || outline(f, cp, frc).getBounds2D().isEmpty()) {
                    ok = false;
                    break;
                }
            }
            if (ok) out.add(cp);
        }
        return out;
    }

    /**
     * Per character, {@code fonts.size() × jitters} images of {@code size × size} grey floats in [0, 1], font-major.
     */
    public static List<List<float[]>> render(List<Font> fonts, List<Integer> chars, int jitters, int size, Rng rng) {
        float[] u;
        try (Scope s = Scope.open()) {
            u = Tensors.rand(rng, (long) chars.size() * fonts.size() * jitters, 4).toFloatArray();
        }
        FontRenderContext frc = new FontRenderContext(null, true, true);
        List<List<float[]>> out = new ArrayList<>();
        int k = 0;
        for (int cp : chars) {
            List<float[]> cls = new ArrayList<>();
            for (Font f : fonts) {
                Shape glyph = outline(f, cp, frc);
                for (int j = 0; j < jitters; j++, k += 4) {
                    double rot = Math.toRadians(-10 + 20 * u[k]), scale = 0.8 + 0.2 * u[k + 1];
                    double dx = -1.5 + 3 * u[k + 2], dy = -1.5 + 3 * u[k + 3];
                    cls.add(draw(glyph, size, j == 0 ? 0 : rot, j == 0 ? 0.9 : scale, j == 0 ? 0 : dx, j == 0 ? 0 : dy));
                }
            }
            out.add(cls);
        }
        return out;
    }

    private static Shape outline(Font f, int cp, FontRenderContext frc) {
        return f.createGlyphVector(frc, new String(Character.toChars(cp))).getOutline();
    }

    private static float[] draw(Shape glyph, int size, double rot, double scale, double dx, double dy) {
        Rectangle2D b = glyph.getBounds2D();
        double fit = scale * (size - 4) / Math.max(b.getWidth(), b.getHeight());
        AffineTransform t = new AffineTransform();
        t.translate(size / 2.0 + dx, size / 2.0 + dy);
        t.rotate(rot);
        t.scale(fit, fit);
        t.translate(-b.getCenterX(), -b.getCenterY());
        BufferedImage im = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = im.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, size, size);
        g.setColor(Color.WHITE);
        g.fill(t.createTransformedShape(glyph));
        g.dispose();
        float[] px = new float[size * size];
        for (int y = 0; y < size; y++) for (int x = 0; x < size; x++) px[y * size + x] = im.getRaster().getSample(x, y, 0) / 255f;
        return px;
    }
}
