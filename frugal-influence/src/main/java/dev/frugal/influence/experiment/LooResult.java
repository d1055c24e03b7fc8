package dev.frugal.influence.experiment;

import dev.frugal.influence.method.Method;
import java.util.Map;

/**
 * What the leave-one-out check measured.
 *
 * @param removed       training indices left out
 * @param actual        actual change of the mean test loss when each was left out (retrained to convergence)
 * @param predicted     each method's predicted change, aligned with {@code actual}
 * @param pearson       per method
 * @param spearman      per method
 * @param lds           per method, NaN when LDS was skipped
 * @param msPerExample  scoring time per training example (ms, mean test loss), per method
 * @param peakRssMb     peak RSS while the method scored (MB), per method
 * @param gradNorm      ‖G(θ*) + λθ*‖ of the trained model
 * @param maxRetrainGradNorm the worst convergence among the retrainings
 * @param testAccuracy  accuracy of θ* on the test set
 */
public record LooResult(int[] removed, double[] actual, Map<Method, double[]> predicted, Map<Method, Double> pearson,
                        Map<Method, Double> spearman, Map<Method, Double> lds, Map<Method, Double> msPerExample,
                        Map<Method, Double> peakRssMb, double gradNorm, double maxRetrainGradNorm,
                        double testAccuracy) {}
