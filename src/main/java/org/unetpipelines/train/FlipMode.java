package org.unetpipelines.train;

/** Random training flips of a classification task: each allowed flip is applied with probability 0.5. */
public enum FlipMode {
  NONE,
  /** Left-right. */
  HORIZONTAL,
  /** Up-down. */
  VERTICAL,
  /** Left-right and up-down, independently. */
  BOTH;

  public boolean horizontal() {
    return this == HORIZONTAL || this == BOTH;
  }

  public boolean vertical() {
    return this == VERTICAL || this == BOTH;
  }
}
