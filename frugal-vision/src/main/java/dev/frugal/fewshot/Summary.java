package dev.frugal.fewshot;

import java.util.List;

/**
 * Mean accuracy over episodes with its 95 % confidence half-width {@code 1.96 · s / √n} (s: sample standard deviation),
 * the convention of the few-shot literature, and the mean alignment time.
 */
public record Summary(int episodes, double mean, double ci95, double alignMillisMean) {

    public static Summary of(List<EpisodeResult> results) {
        int n = results.size();
        if (n == 0) throw new IllegalArgumentException("no episodes");
        double mean = results.stream().mapToDouble(EpisodeResult::accuracy).average().orElseThrow();
        double var = n < 2 ? 0 : results.stream().mapToDouble(r -> (r.accuracy() - mean) * (r.accuracy() - mean)).sum() / (n - 1);
        double align = results.stream().mapToDouble(EpisodeResult::alignMillis).average().orElseThrow();
        return new Summary(n, mean, 1.96 * Math.sqrt(var / n), align);
    }
}
