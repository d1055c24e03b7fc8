package dev.frugal.data;

import java.util.List;

/**
 * A train/dev/test partition.
 *
 * @param train training examples
 * @param dev   development (validation) examples
 * @param test  held-out test examples
 * @param <T>   example type
 */
public record Split<T>(List<T> train, List<T> dev, List<T> test) {

    public Split {
        train = List.copyOf(train);
        dev = List.copyOf(dev);
        test = List.copyOf(test);
    }

    /** Total number of examples. */
    public int size() {
        return train.size() + dev.size() + test.size();
    }
}
