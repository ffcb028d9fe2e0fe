package io.toolgate.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;

/** A fixed sequence of Zipf-distributed indexes in {@code [0, n)}: rank 0 is the most called. */
final class Zipf {
  private Zipf() {}

  /**
   * {@code length} draws (a power of two) with exponent {@code s}, from a fixed seed so every
   * implementation sees the same calls in the same order. The ranks are shuffled over the indexes,
   * so the hot keys are not neighbours in any table.
   */
  static int[] sequence(int n, double s, int length, long seed) {
    double[] cumulative = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1.0 / Math.pow(k + 1, s);
      cumulative[k] = sum;
    }
    int[] keyOfRank = new int[n];
    for (int i = 0; i < n; i++) {
      keyOfRank[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = keyOfRank[i];
      keyOfRank[i] = keyOfRank[j];
      keyOfRank[j] = t;
    }
    int[] out = new int[length];
    for (int i = 0; i < length; i++) {
      double u = random.nextDouble() * sum;
      int rank = Arrays.binarySearch(cumulative, u);
      rank = rank >= 0 ? rank : Math.min(-rank - 1, n - 1);
      out[i] = keyOfRank[rank];
    }
    return out;
  }
}
