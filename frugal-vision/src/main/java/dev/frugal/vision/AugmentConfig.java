package dev.frugal.vision;

/**
 * Random augmentation settings (torchvision's RandomResizedCrop, RandomHorizontalFlip, ColorJitter brightness/contrast).
 *
 * @param minCropArea smallest crop area as a fraction of the image, in (0, 1] (torchvision: 0.08; small images: 0.5)
 * @param flip        horizontal flip with probability ½
 * @param brightness  brightness factor drawn from [1 − b, 1 + b]
 * @param contrast    contrast factor drawn from [1 − c, 1 + c]
 */
public record AugmentConfig(double minCropArea, boolean flip, double brightness, double contrast) {

    public AugmentConfig {
        if (!(minCropArea > 0 && minCropArea <= 1)) throw new dev.frugal.InvalidSettingException("minCropArea", "must be in (0, 1], got " + minCropArea);
        if (brightness < 0 || brightness >= 1) throw new dev.frugal.InvalidSettingException("brightness", "must be in [0, 1), got " + brightness);
        if (contrast < 0 || contrast >= 1) throw new dev.frugal.InvalidSettingException("contrast", "must be in [0, 1), got " + contrast);
    }

    /** The defaults used here for 28×28 images: crops of ≥ 50 % area, flips, ±40 % brightness and contrast. */
    public static AugmentConfig standard() { return new AugmentConfig(0.5, true, 0.4, 0.4); }
}
