package dev.frugal.vision;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The shape of a residual backbone.
 *
 * @param backbone   architecture
 * @param inChannels image channels (1 for grey)
 * @param widths     channels of the four stages, e.g. 16, 32, 64, 64 (BSCD-FSL's ResNet-10 uses 64, 128, 256, 512)
 * @param imageSize  side of the square input images in pixels
 */
public record ResNetConfig(Backbone backbone, int inChannels, List<Integer> widths, int imageSize) {

    public ResNetConfig {
        if (backbone == null) throw new dev.frugal.InvalidSettingException("backbone", "is null");
        if (inChannels != 1 && inChannels != 3) throw new dev.frugal.InvalidSettingException("inChannels", "must be 1 or 3, got " + inChannels);
        widths = List.copyOf(widths);
        if (widths.size() != 4 || widths.stream().anyMatch(w -> w < 1)) {
            throw new dev.frugal.InvalidSettingException("widths", "must be four positive channel counts, got " + widths);
        }
        if (imageSize < 8) throw new dev.frugal.InvalidSettingException("imageSize", "must be at least 8, got " + imageSize);
    }

    /** The small default: ResNet-10 with widths 16, 32, 64, 64 on 28×28 grey images. */
    public static ResNetConfig small() { return new ResNetConfig(Backbone.RESNET10, 1, List.of(16, 32, 64, 64), 28); }

    /** Feature dimension d of the local features (the last stage's width). */
    public int featureDim() { return widths.get(3); }

    /** This configuration as checkpoint metadata. */
    public Map<String, String> toMetadata() {
        return Map.of("arch", backbone.cliName(), "in_channels", Integer.toString(inChannels),
                "widths", widths.stream().map(String::valueOf).collect(Collectors.joining(",")),
                "image_size", Integer.toString(imageSize));
    }

    /** Reads {@link #toMetadata()}; a missing key is reported with the checkpoint's name. */
    public static ResNetConfig fromMetadata(Map<String, String> m, String source) {
        for (String k : List.of("arch", "in_channels", "widths", "image_size")) {
            if (!m.containsKey(k)) throw new BackboneCheckpointException(source + " has no '" + k
                    + "' in its metadata: it is not a frugal vision backbone; write one with `frugal fewshot pretrain`");
        }
        return new ResNetConfig(Backbone.of(m.get("arch")), Integer.parseInt(m.get("in_channels")),
                java.util.Arrays.stream(m.get("widths").split(",")).map(Integer::parseInt).toList(),
                Integer.parseInt(m.get("image_size")));
    }
}
