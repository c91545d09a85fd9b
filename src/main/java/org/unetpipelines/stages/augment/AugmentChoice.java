package org.unetpipelines.stages.augment;

import org.unetpipelines.engine.ConfigChoice;

/**
 * An augmentation stage type as a step of {@code Train}'s {@code augment:} chain ({@link AugmentStep}):
 * chosen by {@code type: <stage type>}, bound to the stage's own config record. Each stage registers
 * one subclass ({@code @AutoService(ConfigChoice.class)}); nothing else names them.
 */
abstract class AugmentChoice implements ConfigChoice {
  /** The key that names the step's stage type. */
  static final String KEY = "type";

  private final AugmentStage<?, ?> stage;

  AugmentChoice(AugmentStage<?, ?> stage) {
    this.stage = stage;
  }

  @Override
  public Class<?> base() {
    return AugmentStep.class;
  }

  @Override
  public String key() {
    return KEY;
  }

  @Override
  public String name() {
    return stage.type();
  }

  @Override
  @SuppressWarnings("unchecked")
  public Class<? extends Record> config() {
    return stage.configClass();
  }

  /** The op the stage builds from {@code step} (its own config record). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  org.unetpipelines.augment.SampleOp op(AugmentStep step) {
    return ((AugmentStage) stage).op((Record) step);
  }

  /** What the stage's check reports for {@code step}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  java.util.List<String> check(AugmentStep step) {
    return ((AugmentStage) stage).check((Record) step);
  }

  /** The registered choice whose config record is {@code step}'s class. */
  static AugmentChoice of(AugmentStep step) {
    for (ConfigChoice c : org.unetpipelines.engine.ConfigChoices.of(AugmentStep.class)) {
      if (c.config() == step.getClass() && c instanceof AugmentChoice a) {
        return a;
      }
    }
    throw new IllegalStateException(step.getClass().getName() + " is not a registered augment step");
  }

  @Override
  public String description() {
    return "online step of Train's augment chain, drawn fresh every training step: " + stage.description();
  }
}
