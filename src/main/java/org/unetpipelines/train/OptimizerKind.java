package org.unetpipelines.train;

/** The optimizer: SGD with (optionally Nesterov) momentum, or Adam. */
public enum OptimizerKind {
  MOMENTUM,
  ADAM
}
