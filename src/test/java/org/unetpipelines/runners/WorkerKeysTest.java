package org.unetpipelines.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

class WorkerKeysTest {
  @Test
  void anyOtherRunnerGetsTheGroupNumbers() {
    assertArrayEquals(new int[] {0, 1, 2}, WorkerKeys.forGroups(PipelineOptionsFactory.create(), 3));
  }

  @Test
  void onFlinkEachGroupsKeyLandsOnItsOwnWorkerInTurn() {
    for (int parallelism : new int[] {2, 3, 4, 7}) {
      PipelineOptions o = RunnerProfiles.resolve("flink-local").withParallelism(parallelism).pipelineOptions("keys");
      int[] keys = WorkerKeys.forGroups(o, 9);
      Set<Integer> distinct = new HashSet<>();
      for (int g = 0; g < keys.length; g++) {
        assertEquals(g % parallelism, WorkerKeys.flinkChannel(keys[g], parallelism), "group " + g);
        distinct.add(keys[g]);
      }
      assertEquals(keys.length, distinct.size(), "keys must differ: " + java.util.Arrays.toString(keys));
    }
  }

  /** Group key -> the Flink subtask (its "(i/n)" task-name suffix) that processed the group. */
  static final Map<Integer, String> SUBTASK = new ConcurrentHashMap<>();

  static final class WhereFn extends DoFn<KV<Integer, Iterable<String>>, Void> {
    private static final Pattern TASK = Pattern.compile("\\((\\d+)/(\\d+)\\)");

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<String>> group) {
      Matcher m = TASK.matcher(Thread.currentThread().getName());
      String where = Thread.currentThread().getName();
      while (m.find()) {
        where = m.group(1) + "/" + m.group(2);
      }
      SUBTASK.put(group.getKey(), where);
    }
  }

  /** The real check, on the embedded Flink runner: two groups are grouped on two different subtasks. */
  @Test
  void onEmbeddedFlinkTwoGroupsAreGroupedOnTwoSubtasks() {
    SUBTASK.clear();
    PipelineOptions o = RunnerProfiles.resolve("flink-local").withParallelism(2).pipelineOptions("worker-keys");
    int[] keys = WorkerKeys.forGroups(o, 2);
    Pipeline p = Pipeline.create(o);
    p.apply(Create.of(KV.of(keys[0], "a"), KV.of(keys[1], "b"))
            .withCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of())))
        .apply(GroupByKey.create())
        .apply(ParDo.of(new WhereFn()));
    p.run().waitUntilFinish();
    assertEquals(2, SUBTASK.size(), SUBTASK.toString());
    assertTrue(SUBTASK.get(keys[0]).matches("\\d+/2") && SUBTASK.get(keys[1]).matches("\\d+/2"), SUBTASK.toString());
    assertEquals(2, new HashSet<>(SUBTASK.values()).size(), "both groups on one subtask: " + SUBTASK);
  }
}
