package dev.frugal.cli;

import dev.frugal.influence.data.DataRef;
import dev.frugal.influence.method.Method;
import dev.frugal.influence.sam.SamConfig;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.solve.IhvpSolver;
import dev.frugal.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by the influence subcommands (picocli mixins). */
final class InfluenceOptions {
    private InfluenceOptions() {}

    /** Where the data comes from and how it is split. */
    static final class Data {
        @Option(names = "--data", paramLabel = "SET|FILE.csv", description = "digits, fmnist, spam, or a CSV file with"
                + " numeric feature columns")
        String data;

        @Option(names = "--label", paramLabel = "COLUMN", description = "the CSV's label column")
        String label;

        @Option(names = "--train-size", defaultValue = "300", description = "training examples (default: ${DEFAULT-VALUE})")
        int trainSize;

        @Option(names = "--test-size", defaultValue = "0", description = "test examples (0: the rest; fmnist 1000,"
                + " spam 587) (default: ${DEFAULT-VALUE})")
        int testSize;

        @Option(names = "--seed", defaultValue = "7", description = "split / flip / subset seed (default: ${DEFAULT-VALUE})")
        long seed;

        DataRef ref() { return ref(seed); }

        /** The same data with another split / flip / subset seed. */
        DataRef ref(long otherSeed) { return new DataRef(data, label, trainSize, testSize, otherSeed); }
    }

    /** SAM training. */
    static final class Training {
        @Option(names = "--model", paramLabel = "logreg|mlp", defaultValue = "logreg",
                description = "logistic regression or a tanh MLP (default: ${DEFAULT-VALUE})")
        String model;

        @Option(names = "--hidden", defaultValue = "16", description = "MLP hidden units (default: ${DEFAULT-VALUE})")
        int hidden;

        @Option(names = "--rho", defaultValue = "0.1", description = "SAM radius ρ (default: ${DEFAULT-VALUE})")
        double rho;

        @Option(names = "--adaptive", description = "adaptive SAM (ASAM)")
        boolean adaptive;

        @Option(names = "--micro-batch", defaultValue = "1", description = "examples per SAM perturbation, 0: whole"
                + " batch (default: ${DEFAULT-VALUE})")
        int microBatch;

        @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd or adamw (default: ${DEFAULT-VALUE})")
        String optimizer;

        @Option(names = "--lr", defaultValue = "2.5", description = "learning rate (default: ${DEFAULT-VALUE})")
        double lr;

        @Option(names = "--momentum", defaultValue = "0.7", description = "SGD heavy-ball momentum (default: ${DEFAULT-VALUE})")
        double momentum;

        @Option(names = "--weight-decay", defaultValue = "0.01", description = "L2 λ (default: ${DEFAULT-VALUE})")
        double weightDecay;

        @Option(names = "--batch-size", defaultValue = "0", description = "0: full batch (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--steps", defaultValue = "5000", description = "step budget (default: ${DEFAULT-VALUE})")
        int steps;

        @Option(names = "--tolerance", defaultValue = "1e-8", description = "stop at ‖G(θ) + λθ‖ below this"
                + " (default: ${DEFAULT-VALUE})")
        double tolerance;

        @Option(names = "--checkpoint-every", defaultValue = "100", description = "trajectory checkpoint interval"
                + " (default: ${DEFAULT-VALUE})")
        int checkpointEvery;

        TrainConfig config(long seed) {
            TrainConfig.BaseOptimizer base = switch (optimizer) {
                case "sgd" -> TrainConfig.BaseOptimizer.SGD;
                case "adamw" -> TrainConfig.BaseOptimizer.ADAMW;
                default -> throw new dev.frugal.UserInputException("--optimizer " + optimizer + ": use sgd or adamw");
            };
            SamConfig sam = new SamConfig(rho, adaptive, 0.01, microBatch);
            return new TrainConfig(sam, base, lr, momentum, weightDecay, batchSize, steps, tolerance, checkpointEvery,
                    seed, DType.F64);
        }

        dev.frugal.influence.model.ModelSpec.Kind kind() { return dev.frugal.influence.model.ModelSpec.Kind.parse(model); }

        int hiddenUnits() { return kind() == dev.frugal.influence.model.ModelSpec.Kind.MLP ? hidden : 0; }
    }

    /** Solver and damping. */
    static final class Solving {
        @Option(names = "--solver", defaultValue = "exact", description = "exact, cg or lissa (default: ${DEFAULT-VALUE})")
        String solver;

        @Option(names = "--damping", defaultValue = "1e-6", description = "δ > 0 added to the Hessian (default: ${DEFAULT-VALUE})")
        double damping;

        @Option(names = "--cg-iterations", defaultValue = "1000", description = "CG/BiCGSTAB iterations (default: ${DEFAULT-VALUE})")
        int cgIterations;

        @Option(names = "--lissa-scale", defaultValue = "0", description = "LiSSA scale, 0: 1.2 × the largest"
                + " eigenvalue by power iteration (default: ${DEFAULT-VALUE})")
        double lissaScale;

        @Option(names = "--lissa-depth", defaultValue = "20000", description = "LiSSA recursions (default: ${DEFAULT-VALUE})")
        int lissaDepth;

        IhvpSolver solver() {
            return switch (solver) {
                case "exact" -> new IhvpSolver.Exact(20_000);
                case "cg" -> new IhvpSolver.ConjugateGradient(cgIterations, 1e-8);
                case "lissa" -> new IhvpSolver.Lissa(lissaScale, lissaDepth, 1e-6);
                default -> throw new dev.frugal.UserInputException("--solver " + solver + ": use exact, cg or lissa");
            };
        }
    }

    /** Parses a comma-separated method list (or "all"). */
    static List<Method> methods(String list) {
        if (list.equals("all")) return List.of(Method.values());
        List<Method> out = new ArrayList<>();
        for (String s : list.split(",")) out.add(Method.parse(s.strip()));
        return out;
    }
}
