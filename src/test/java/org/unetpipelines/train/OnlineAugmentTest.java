package org.unetpipelines.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.unetpipelines.augment.CopyRandom;
import org.unetpipelines.augment.Crops;
import org.unetpipelines.augment.ElasticWarp;
import org.unetpipelines.augment.Flips;
import org.unetpipelines.augment.ImageStack;
import org.unetpipelines.augment.Interpolation;
import org.unetpipelines.augment.Rotation;
import org.unetpipelines.augment.SampleLayers;
import org.unetpipelines.augment.SampleOp;
import org.unetpipelines.image.ImageArray;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.model.unet.UNet;
import org.unetpipelines.model.unet.UNetConfig;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.task.Segmentation;
import org.unetpipelines.train.task.Task;

class OnlineAugmentTest {
  private static final OnlineAugment CHAIN = OnlineAugment.NONE
      .then("ElasticDeform", ElasticWarp.op(3, 4.0, Interpolation.CUBIC, 0, 0))
      .then("Flip", Flips.op(0.5, 0.5))
      .then("Rotate", Rotation.op(Rotation.Mode.RIGHT, 0, Interpolation.CUBIC));

  private static Sample sample() {
    return TestSamples.ellipses(4, 0, 1, 24).get(0);
  }

  private static float[] image(Sample s) {
    return Tensors.toImage(s.getImage()).data();
  }

  @Test
  void drawsDependOnSeedStepAndIndexOnly() {
    Sample s = sample();
    Sample a = CHAIN.apply(s, 7, 3, 1);
    assertEquals(a, CHAIN.apply(s, 7, 3, 1), "same (seed, step, index): the same sample, bit for bit");
    assertEquals(s.getId(), a.getId());
    assertFalse(Arrays.equals(image(s), image(a)), "the chain changed the image");
    assertFalse(Arrays.equals(image(a), image(CHAIN.apply(s, 7, 4, 1))), "another step, another draw");
    assertFalse(Arrays.equals(image(a), image(CHAIN.apply(s, 7, 3, 0))), "another index, another draw");
    assertFalse(Arrays.equals(image(a), image(CHAIN.apply(s, 8, 3, 1))), "another seed, another draw");
    assertSame(s, OnlineAugment.NONE.apply(s, 7, 3, 1), "no chain: the sample itself");
    assertEquals("ElasticDeform -> Flip -> Rotate", CHAIN.toString());
  }

  @Test
  void stepJOfTheChainIsTheStagesOpOnItsOwnStream() {
    Sample s = sample();
    ImageStack x = SampleLayers.of(s);
    List<SampleOp> ops = List.of(ElasticWarp.op(3, 4.0, Interpolation.CUBIC, 0, 0), Flips.op(0.5, 0.5),
        Rotation.op(Rotation.Mode.RIGHT, 0, Interpolation.CUBIC));
    for (int j = 0; j < ops.size(); j++) {
      x = ops.get(j).apply(x, CopyRandom.forStep(7, 3, 1, j)).get(0).layers();
    }
    Sample expected = SampleLayers.set(Sample.newBuilder(s), x).build();
    assertEquals(expected, CHAIN.apply(s, 7, 3, 1));
    // the step streams are not the stages' copy streams
    assertNotEquals(new SplittableRandom(CopyRandom.seedFor(7, "3", 1, "0")).nextLong(),
        CopyRandom.forStep(7, 3, 1, 0).nextLong());
  }

  @Test
  void weightsAndMaskMoveWithTheSameFieldAsTheImage() {
    // float image and weights holding the same values, linear image interpolation: weights are
    // sampled linearly, so with one field they must come out identical to the image
    int n = 20;
    float[] v = new float[n * n];
    float[] m = new float[n * n];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble() * 10;
      m[i] = v[i] > 5 ? 255 : 0;
    }
    ImageArray img = ImageArray.wrap(n, n, 1, ImageArray.Depth.F32, v.clone());
    ImageArray weights = ImageArray.wrap(n, n, 1, ImageArray.Depth.F32, v.clone());
    ImageArray mask = ImageArray.wrap(n, n, 1, ImageArray.Depth.U8, m);
    OnlineAugment deform = OnlineAugment.NONE.then("ElasticDeform", ElasticWarp.op(3, 6.0, Interpolation.LINEAR, 0, 0));
    ImageStack out = deform.apply(new ImageStack(img, mask, weights), 5, 0, 0);
    assertFalse(Arrays.equals(v, out.image().data()), "deformed");
    assertArrayEquals(out.image().data(), out.weights().data(), "weights deformed with the image's field");
    // the mask is sampled nearest with the same field: labels stay 0/255 and agree with the image
    // wherever the field lands on a pixel centre-near location, i.e. the mask is a relabelling of
    // the nearest source pixel; check it against warping the mask as an image with NEAREST order
    ImageStack nearest = OnlineAugment.NONE.then("ElasticDeform", ElasticWarp.op(3, 6.0, Interpolation.NEAREST, 0, 0))
        .apply(new ImageStack(mask, null, null), 5, 0, 0);
    assertArrayEquals(nearest.image().data(), out.mask().data(), "mask: the same field, nearest");
  }

  @Test
  void rejectsFanOutStepsAndNamesTheSampleAndStep() {
    SampleOp twice = (in, rng) -> List.of(SampleOp.Outcome.of(in), SampleOp.Outcome.of(in));
    IllegalArgumentException fan = assertThrows(IllegalArgumentException.class,
        () -> OnlineAugment.NONE.then("Tile", twice).apply(sample(), 1, 0, 0));
    assertTrue(fan.getMessage().contains("step 0 (Tile) gave 2 results"), fan.getMessage());
    OnlineAugment crop = OnlineAugment.NONE.then("Crop", Crops.op(Crops.Mode.RANDOM, 40, 40));
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> crop.apply(sample(), 1, 3, 0));
    assertTrue(big.getMessage().contains("sample ellipses#0 at step 4")
        && big.getMessage().contains("crop 40x40 is larger than the 24x24 image"), big.getMessage());
    assertThrows(IllegalArgumentException.class, () -> OnlineAugment.NONE.then("", twice));
    assertThrows(NullPointerException.class, () -> OnlineAugment.NONE.then("x", null));
  }

  @Test
  void batchStreamsAugmentTrainingBatchesByStepAndResumeTheSameDraws() {
    List<Sample> samples = TestSamples.ellipses(2, 0, 10, 20);
    Task task = new Segmentation(UNet.of(UNetConfig.small().withDepth(2)), 12, 12, LossKind.CROSS_ENTROPY);
    List<float[]> all = images(samples, task, 0, 0, CHAIN, true);
    assertEquals(4, all.size(), "10 samples in batches of 3");
    List<float[]> again = images(samples, task, 0, 0, CHAIN, true);
    for (int i = 0; i < all.size(); i++) {
      assertArrayEquals(all.get(i), again.get(i), "batch " + i + " repeats");
    }
    List<float[]> plain = images(samples, task, 0, 0, OnlineAugment.NONE, true);
    assertFalse(Arrays.equals(all.get(0), plain.get(0)), "the chain changes training batches");
    // a resumed epoch (2 batches skipped, first step 2) draws what the uninterrupted one did
    List<float[]> resumed = images(samples, task, 2, 2, CHAIN, true);
    assertEquals(2, resumed.size());
    assertArrayEquals(all.get(2), resumed.get(0));
    assertArrayEquals(all.get(3), resumed.get(1));
    // the draws follow the step: the same epoch started as step 10 gives other batches
    assertFalse(Arrays.equals(all.get(0), images(samples, task, 0, 10, CHAIN, true).get(0)));
    // validation streams are never augmented
    List<float[]> val = images(samples, task, 0, 0, CHAIN, false);
    assertArrayEquals(images(samples, task, 0, 0, OnlineAugment.NONE, false).get(0), val.get(0));
  }

  private static List<float[]> images(List<Sample> src, Task task, long skip, long firstStep, OnlineAugment chain,
      boolean training) {
    List<float[]> out = new ArrayList<>();
    try (BatchStream s = new BatchStream(src, task, 3, 4, 9, 0, skip, 2, training, chain, firstStep)) {
      while (s.hasNext()) {
        out.add(s.next().array(Segmentation.IMAGE));
      }
    }
    return out;
  }
}
