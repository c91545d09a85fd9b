package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.unetpipelines.engine.ConfigBinder;

/** The step and multi-step learning-rate schedules and the classification training keys. */
class StepSchedulesTest {

  @Test
  void stepIsAStaircaseExponential() {
    LearningRateSchedule s = LearningRateSchedule.step(0.1, 0.5, 10);
    assertEquals(0.1, s.rate(0), 1e-15);
    assertEquals(0.1, s.rate(9), 1e-15);
    assertEquals(0.05, s.rate(10), 1e-15);
    assertEquals(0.025, s.rate(29), 1e-15);
    assertEquals(0.0125, s.rate(30), 1e-15);
  }

  /** He et al.: 0.1, divided by 10 at 32k and 48k iterations. */
  @Test
  void multiStepMultipliesAtEachBoundary() {
    LearningRateSchedule s = LearningRateSchedule.multiStep(0.1, 0.1, List.of(32000L, 48000L));
    assertEquals(0.1, s.rate(0), 1e-15);
    assertEquals(0.1, s.rate(31999), 1e-15);
    assertEquals(0.01, s.rate(32000), 1e-15);
    assertEquals(0.01, s.rate(47999), 1e-15);
    assertEquals(0.001, s.rate(48000), 1e-15);
    assertEquals(0.001, s.rate(64000), 1e-15);
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> LearningRateSchedule.multiStep(0.1, 0.1, List.of()));
    assertTrue(none.getMessage().contains("needs 'boundaries'"), none.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.multiStep(0.1, 0.1, List.of(5L, 5L)));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.multiStep(0.1, 0.1, List.of(0L)));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.step(0.1, 0.5, 0));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.step(0.1, 1.5, 10));
  }

  @Test
  void trainConfigBindsTheClassificationKeys() {
    TrainConfig c = ConfigBinder.defaults(TrainConfig.class, Map.of("height", "28", "width", "28",
        "schedule", "multi_step", "boundaries", "[9380, 14070]", "decay_rate", "0.1", "weight_decay", "5e-4",
        "crop_padding", "4", "flip", "horizontal", "rotation", "15", "nesterov", "true"));
    assertEquals(List.of(9380L, 14070L), c.boundaries());
    assertEquals(5e-4, c.weightDecay());
    assertEquals(4, c.cropPadding());
    assertEquals(FlipMode.HORIZONTAL, c.flip());
    assertEquals(15.0, c.rotation());
    assertEquals(0.01 * 0.1 * 0.1, c.newSchedule().rate(20000), 1e-12); // default learning_rate 0.01
    TrainConfig d = TrainConfig.defaults(28, 28);
    assertEquals(null, d.weightDecay(), "default: the task's");
    assertEquals(FlipMode.NONE, d.flip());
    assertEquals(List.of(), d.boundaries());
    assertEquals(d, d.toBuilder().build(), "the builder copies every key");
    IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
        () -> d.toBuilder().schedule(LearningRateSchedule.Kind.MULTI_STEP).build().newSchedule());
    assertTrue(m.getMessage().contains("boundaries"), m.getMessage());
    assertThrows(IllegalArgumentException.class, () -> d.toBuilder().weightDecay(-1e-4).build());
    assertThrows(IllegalArgumentException.class, () -> d.toBuilder().augment(-1, FlipMode.NONE, 0).build());
    assertThrows(IllegalArgumentException.class, () -> d.toBuilder().augment(0, FlipMode.NONE, 181).build());
  }
}
