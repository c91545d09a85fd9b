package org.unetpipelines.model;

/** The random weight initializers a pipeline may choose (see {@link Initializer}). */
public enum WeightInit {
  XAVIER_NORMAL(Initializer.XAVIER_NORMAL),
  XAVIER_UNIFORM(Initializer.XAVIER_UNIFORM),
  HE_NORMAL(Initializer.HE_NORMAL),
  /** The U-Net paper's N(0, sqrt(2/N)), N = fan-in. */
  PAPER(Initializer.PAPER),
  /** Orthogonal, gain 0.8 (ReDo). */
  ORTHOGONAL(Initializer.ORTHOGONAL);

  private final Initializer initializer;

  WeightInit(Initializer initializer) {
    this.initializer = initializer;
  }

  public Initializer initializer() {
    return initializer;
  }
}
