package org.unetpipelines.augment;

/**
 * How an index outside {@code 0..n-1} is folded back inside: the two mirror conventions.
 *
 * <table>
 *   <caption>Conventions for the row {@code a b c d}</caption>
 *   <tr><th>constant</th><th>left of the edge</th><th>numpy.pad</th><th>scipy.ndimage</th></tr>
 *   <tr><td>{@link #REFLECT}</td><td>{@code ... d c b | a b c d | c b a ...}</td><td>{@code 'reflect'}</td>
 *       <td>{@code 'mirror'}</td></tr>
 *   <tr><td>{@link #SYMMETRIC}</td><td>{@code ... c b a | a b c d | d c b ...}</td><td>{@code 'symmetric'}</td>
 *       <td>{@code 'reflect'}</td></tr>
 * </table>
 *
 * <p>REFLECT mirrors about the centre of the edge pixel (the edge is not repeated, period
 * {@code 2n-2}); SYMMETRIC mirrors about the pixel's outer border (the edge is repeated, period
 * {@code 2n}). Folding is repeated reflection, so any index maps inside, however far out it is. A
 * one-pixel axis under REFLECT maps every index to 0.
 */
public enum Boundary {
  REFLECT,
  SYMMETRIC;

  /** Folds {@code i} into {@code 0..n-1} by repeated reflection ({@code n >= 1}). */
  public int fold(int i, int n) {
    if (i >= 0 && i < n) {
      return i;
    }
    if (this == REFLECT) {
      if (n == 1) {
        return 0;
      }
      int period = 2 * n - 2;
      int m = Math.floorMod(i, period);
      return m < n ? m : period - m;
    }
    int period = 2 * n;
    int m = Math.floorMod(i, period);
    return m < n ? m : period - 1 - m;
  }
}
