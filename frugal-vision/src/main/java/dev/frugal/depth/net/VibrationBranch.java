package dev.frugal.depth.net;

import dev.frugal.tensor.ImageOps;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * The vibration branch: an LSTM over the IMU samples between two frames (the paper's MLSTM; here one layer) and a
 * linear read-out of its last hidden state. Input {@code (B, T, 6)} (accelerometer and gyroscope, normalised by
 * {@link #ACCEL_SCALE} and {@link #GYRO_SCALE}), output {@code (B, hidden)}.
 */
final class VibrationBranch {
    /** Accelerometer normalisation (cm/s²: gravity is 981) and gyroscope normalisation (rad/s). */
    static final double ACCEL_SCALE = 981, GYRO_SCALE = 1;
    private final Params p;
    final long hidden;

    VibrationBranch(Params p, long hidden) {
        this.p = p;
        this.hidden = hidden;
        p.weight("vib.lstm.w_ih", 6, 4 * hidden, 6);
        p.weight("vib.lstm.w_hh", hidden, 4 * hidden, hidden);
        p.weight("vib.lstm.b_ih", hidden, 4 * hidden);
        p.weight("vib.lstm.b_hh", hidden, 4 * hidden);
        p.weight("vib.out.weight", hidden, hidden, hidden);
        p.weight("vib.out.bias", hidden, hidden);
    }

    Tensor forward(Tensor imu) {
        long b = imu.size(0), t = imu.size(1);
        Tensor h = Tensors.zeros(b, hidden), c = Tensors.zeros(b, hidden);
        for (int i = 0; i < t; i++) {
            Tensor[] hc = ImageOps.lstmCell(imu.select(1, i), h, c, p.get("vib.lstm.w_ih"), p.get("vib.lstm.w_hh"),
                    p.get("vib.lstm.b_ih"), p.get("vib.lstm.b_hh"));
            h = hc[0];
            c = hc[1];
        }
        return dev.frugal.tensor.NN.linear(h, p.get("vib.out.weight"), p.get("vib.out.bias")).tanh();
    }
}
