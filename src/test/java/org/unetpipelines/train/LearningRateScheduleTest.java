package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  @Test
  void constantAndExponential() {
    assertEquals(0.01, LearningRateSchedule.constant(0.01).rate(12345), 0);
    LearningRateSchedule e = LearningRateSchedule.exponential(0.1, 0.5, 100);
    assertEquals(0.1, e.rate(0), 1e-15);
    assertEquals(0.05, e.rate(100), 1e-15);
    assertEquals(0.1 * Math.pow(0.5, 2.5), e.rate(250), 1e-15);
  }

  @Test
  void plateauReducesAfterPatienceAndRestores() {
    LearningRateSchedule p = LearningRateSchedule.plateau(0.1, 0.5, 2, 0.0, 0.01);
    p.onEpochEnd(1.0); // best 1.0
    p.onEpochEnd(0.9); // best 0.9
    assertEquals(0.1, p.rate(0), 1e-15);
    p.onEpochEnd(0.95);
    assertEquals(0.1, p.rate(0), 1e-15);
    p.onEpochEnd(0.92); // 2 epochs without improvement -> halve
    assertEquals(0.05, p.rate(0), 1e-15);
    LearningRateSchedule copy = LearningRateSchedule.plateau(0.1, 0.5, 2, 0.0, 0.01);
    copy.restore(p.state());
    assertEquals(p.rate(0), copy.rate(0), 0);
    for (int i = 0; i < 20; i++) {
      p.onEpochEnd(5.0);
    }
    assertEquals(0.01, p.rate(0), 1e-15, "never below the min rate");
  }

  @Test
  void rejectsBadSettings() {
    IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
        () -> LearningRateSchedule.exponential(0.1, 1.5, 10));
    assertTrue(a.getMessage().contains("decay rate must be in (0, 1], got 1.5"), a.getMessage());
    IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
        () -> LearningRateSchedule.plateau(0.1, 0.5, 0, 0, 0));
    assertTrue(b.getMessage().contains("patience must be >= 1 epoch, got 0"), b.getMessage());
    IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(0));
    assertTrue(c.getMessage().contains("learning rate must be > 0, got 0"), c.getMessage());
  }
}
