package org.unetpipelines.engine;

import java.util.Collection;
import java.util.Locale;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** "Did you mean ...?" for typos in stage types, names and config keys. */
public final class Suggest {
  private Suggest() {}

  /** The closest candidate within a small edit distance, as " (did you mean 'x'?)", or "". */
  public static String closest(String given, Collection<String> candidates) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    int limit = Math.max(2, given.length() / 3);
    LevenshteinDistance ld = new LevenshteinDistance(limit);
    for (String c : candidates) {
      int d = ld.apply(given.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
      if (d >= 0 && d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }
}
