package org.unetpipelines.engine.grid;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One branch of a grid: a value for every axis.
 *
 * @param name the stable name from the axis values in axis order, {@code family=unetpp,seed=2}; it
 *     names the branch's stages ({@code Train[family=unetpp,seed=2]}), its output folder
 *     ({@code grid/family=unetpp,seed=2/}) and so its run ids and metric records. Only
 *     {@code [A-Za-z0-9._+-]}, {@code =} and {@code ,} occur in it.
 * @param values axis name to value label, in axis order
 * @param seed the cell's pipeline seed (its options.seed value, else the file's seed)
 * @param statsCell the cell as the statistics see it: the name without the replicate axis ("all" when no other axis)
 * @param replicate the replicate axis' value that pairs this run with other cells' runs, or null
 */
public record GridCell(String name, Map<String, String> values, long seed, String statsCell, String replicate)
    implements java.io.Serializable {
  /** The output folder of a cell's stages, relative to the run's output root. */
  public static final String FOLDER = "grid";

  public GridCell {
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** {@code grid/<name>}. */
  public String folder() {
    return FOLDER + "/" + name;
  }

  /** The name of stage {@code stage} in this cell's branch: {@code Stage[cell]}. */
  public String stageName(String stage) {
    return stage + "[" + name + "]";
  }
}
