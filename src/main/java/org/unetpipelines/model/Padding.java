package org.unetpipelines.model;

/** Convolution padding: {@code VALID} (the U-Net paper's geometry, outputs shrink) or {@code SAME}. */
public enum Padding {
  VALID,
  SAME;

  /** The TensorFlow padding attribute. */
  public String tf() {
    return name();
  }
}
