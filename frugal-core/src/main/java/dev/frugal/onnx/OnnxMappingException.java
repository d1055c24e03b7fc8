package dev.frugal.onnx;

/**
 * An ONNX graph that parsed fine but does not have the structure an importer expects (e.g. no query/key/value
 * projections where a BERT encoder has them). The message names the missing piece.
 */
public final class OnnxMappingException extends dev.frugal.UserInputException {

    /** @param detail what was expected and not found */
    public OnnxMappingException(String detail) {
        super(detail + " (this importer reads BERT encoders exported from PyTorch/Hugging Face, e.g. "
                + "all-MiniLM-L6-v2; re-export the model with torch.onnx.export or Optimum)");
    }
}
