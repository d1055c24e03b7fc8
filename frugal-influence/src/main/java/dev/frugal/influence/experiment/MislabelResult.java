package dev.frugal.influence.experiment;

import dev.frugal.influence.method.Method;
import java.util.Map;

/**
 * What the mislabel experiment measured.
 *
 * @param flipped          how many labels were flipped
 * @param auc              ROC AUC of self-influence for "this label was flipped", per method
 * @param foundTop10       fraction of the flipped labels among the top 10 % by self-influence
 * @param foundTop20       the same for the top 20 %
 * @param curve            fraction found after inspecting 0, 1, …, 100 % of the training set, per method
 * @param accRemoved       test accuracy after removing the top-ranked (as many as were flipped) and retraining
 * @param accRelabelled    test accuracy after giving the top-ranked the model's most likely other label and retraining
 * @param msPerExample     self-influence time per training example (ms)
 * @param peakRssMb        peak RSS while scoring (MB)
 * @param noisyAccuracy    test accuracy of the model trained on the noisy labels
 * @param cleanAccuracy    test accuracy when retrained on the true labels (the ceiling)
 * @param gradNorm         ‖G(θ*) + λθ*‖ of the noisy model
 */
public record MislabelResult(int flipped, Map<Method, Double> auc, Map<Method, Double> foundTop10,
                             Map<Method, Double> foundTop20, Map<Method, double[]> curve,
                             Map<Method, Double> accRemoved, Map<Method, Double> accRelabelled,
                             Map<Method, Double> msPerExample, Map<Method, Double> peakRssMb, double noisyAccuracy,
                             double cleanAccuracy, double gradNorm) {}
