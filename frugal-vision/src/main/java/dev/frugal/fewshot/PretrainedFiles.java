package dev.frugal.fewshot;

import dev.frugal.data.FrugalHome;
import dev.frugal.vision.Backbone;
import java.nio.file.Path;

/**
 * Where a pretrained backbone and its codebook live: {@code DIR/backbone.safetensors} and {@code DIR/codebook.safetensors},
 * by default {@code $FRUGAL_HOME/fewshot/SOURCE-ARCH}.
 */
public record PretrainedFiles(Path dir) {
    public PretrainedFiles {
        if (dir == null) throw new IllegalArgumentException("dir is null");
    }

    public static PretrainedFiles defaultFor(String source, Backbone arch) {
        return new PretrainedFiles(FrugalHome.root().resolve("fewshot").resolve(source + "-" + arch.cliName()));
    }

    public Path backbone() { return dir.resolve("backbone.safetensors"); }

    public Path codebook() { return dir.resolve("codebook.safetensors"); }
}
