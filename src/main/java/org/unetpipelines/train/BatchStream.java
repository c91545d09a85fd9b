package org.unetpipelines.train;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.unetpipelines.records.Sample;
import org.unetpipelines.train.task.Task;

/**
 * One epoch of batches, prepared by a background thread so a training step does not wait on input:
 * read samples, pass them through a shuffle buffer, cut windows and fill batch arrays, and hand them
 * over through a bounded queue ({@code prefetch} batches ahead).
 *
 * <p>Deterministic: the shuffle order is a function of (seed, epoch) and the source order, crops of
 * (seed, epoch, sample id). {@code skipBatches} drops the first batches of the epoch (after
 * shuffling), which is how a resumed run lands exactly where the checkpoint left off.
 *
 * <p>Training streams may carry an {@link OnlineAugment} chain: the producer applies it to each
 * sample before the task fills the batch, element {@code i} of the batch of training step
 * {@code s} drawing from (seed, s, i); {@code firstStep} is the step of the first batch handed out
 * (after the skipped ones). The time {@link #next} waited for input is summed in {@link #waitedNanos}.
 */
public final class BatchStream implements Iterator<Batch>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BatchStream.class);
  private static final Object END = new Object();

  private final BlockingQueue<Object> queue;
  private final Thread producer;
  private volatile boolean closed;
  private Object next;
  private long waitedNanos;

  /**
   * @param random true for training (shuffle, random crops); false for validation (source order, centered windows)
   */
  public BatchStream(Iterable<Sample> source, Task task, int batchSize, int shuffleBuffer, long seed,
      long epoch, long skipBatches, int prefetch, boolean random) {
    this(source, task, batchSize, shuffleBuffer, seed, epoch, skipBatches, prefetch, random, OnlineAugment.NONE, 0);
  }

  /**
   * A stream whose training samples go through {@code augment} first.
   *
   * @param firstStep the training step (0-based) of the first batch handed out
   */
  public BatchStream(Iterable<Sample> source, Task task, int batchSize, int shuffleBuffer, long seed,
      long epoch, long skipBatches, int prefetch, boolean random, OnlineAugment augment, long firstStep) {
    checkArgument(batchSize >= 1, "batch size must be >= 1, got %s", batchSize);
    checkArgument(augment != null, "augment must be given (OnlineAugment.NONE for none)");
    this.queue = new ArrayBlockingQueue<>(Math.max(1, prefetch));
    OnlineAugment chain = random ? augment : OnlineAugment.NONE;
    this.producer = new Thread(() -> produce(source, task, batchSize, random ? shuffleBuffer : 0, seed, epoch,
        skipBatches, random, chain, firstStep), "batch-stream-epoch-" + epoch);
    producer.setDaemon(true);
    producer.start();
  }

  private void produce(Iterable<Sample> source, Task task, int batchSize, int shuffleBuffer, long seed,
      long epoch, long skipBatches, boolean random, OnlineAugment augment, long firstStep) {
    try {
      SplittableRandom rng = new SplittableRandom(
          Hashing.murmur3_128().newHasher().putLong(seed).putLong(epoch).putInt(0x5eed).hash().asLong());
      Iterator<Sample> it = shuffled(source.iterator(), shuffleBuffer, rng);
      long index = 0;
      while (it.hasNext() && !closed) {
        List<Sample> group = new ArrayList<>(batchSize);
        while (group.size() < batchSize && it.hasNext()) {
          group.add(it.next());
        }
        if (index++ < skipBatches) {
          continue;
        }
        int n = group.size();
        Map<String, float[]> arrays = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> f : task.feeds().entrySet()) {
          long size = n;
          for (long d : f.getValue()) {
            size *= d;
          }
          checkArgument(size <= Integer.MAX_VALUE, "batch feed %s of %s elements is too large", f.getKey(), size);
          arrays.put(f.getKey(), new float[(int) size]);
        }
        List<String> ids = new ArrayList<>(n);
        long step = firstStep + (index - 1 - skipBatches);
        for (int i = 0; i < n; i++) {
          Sample s = augment.apply(group.get(i), seed, step, i);
          task.fill(s, i, arrays, SampleArrays.sampleKey(seed, epoch, s.getId()), random);
          ids.add(s.getId());
        }
        put(new Batch(n, arrays, ids, epoch, index - 1));
      }
      put(END);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      try {
        put(e);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void put(Object o) throws InterruptedException {
    while (!closed) {
      if (queue.offer(o, 100, TimeUnit.MILLISECONDS)) {
        return;
      }
    }
  }

  /** A shuffle buffer: emits a uniformly chosen buffered element and refills its slot. */
  static Iterator<Sample> shuffled(Iterator<Sample> in, int bufferSize, SplittableRandom rng) {
    if (bufferSize <= 1) {
      return in;
    }
    List<Sample> buffer = new ArrayList<>(bufferSize);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        fill();
        return !buffer.isEmpty();
      }

      private void fill() {
        while (buffer.size() < bufferSize && in.hasNext()) {
          buffer.add(in.next());
        }
      }

      @Override
      public Sample next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int i = rng.nextInt(buffer.size());
        Sample out = buffer.get(i);
        Sample last = buffer.remove(buffer.size() - 1);
        if (i < buffer.size()) {
          buffer.set(i, last);
        }
        return out;
      }
    };
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      try {
        long t0 = System.nanoTime();
        next = queue.take();
        long waitedNs = System.nanoTime() - t0;
        waitedNanos += waitedNs;
        long waited = waitedNs / 1_000_000;
        if (waited > 1000) {
          LOG.debug("waited {} ms for input", waited);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the next batch", e);
      }
      if (next instanceof RuntimeException) {
        RuntimeException e = (RuntimeException) next;
        next = END;
        throw new IllegalStateException("reading training samples failed: " + e.getMessage(), e);
      }
    }
    return next != END;
  }

  @Override
  public Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Batch b = (Batch) next;
    next = null;
    return b;
  }

  /** Nanoseconds {@link #hasNext} / {@link #next} have waited for the producer so far. */
  public long waitedNanos() {
    return waitedNanos;
  }

  @Override
  public void close() {
    closed = true;
    producer.interrupt();
    queue.clear();
  }
}
