package org.unetpipelines.grid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unetpipelines.records.GridComparison;
import org.unetpipelines.records.GridSummary;

class GridFilesTest {

  private static List<Observation> obs() {
    List<Observation> o = new ArrayList<>();
    for (int s = 1; s <= 3; s++) {
      o.add(new Observation("iou", "family=unet,upsampling=transpose", Integer.toString(s), 0.8 + s / 100.0));
      o.add(new Observation("iou", "family=unetpp,upsampling=transpose", Integer.toString(s), 0.82 + s / 70.0));
    }
    o.add(new Observation("iou", "lonely", "1", 0.5));
    return o;
  }

  @Test
  void csvJsonlAndAvroHoldTheSameRecords(@TempDir Path dir) throws Exception {
    GridStatistics stats = GridStatistics.create();
    List<GridSummary> s = stats.summarize(obs());
    List<GridComparison> c = stats.compareWithBaseline(obs(), "family=unet,upsampling=transpose");
    GridFiles.write(dir, s, c);

    List<String> csv = Files.readAllLines(dir.resolve("comparisons.csv"));
    assertEquals("metric,cell_a,cell_b,n_a,n_b,mean_a,mean_b,diff,test,statistic,p_value,p_holm,effect_size", csv.get(0));
    assertEquals(List.of("metric", "cell_a", "cell_b", "n_a", "n_b", "mean_a", "mean_b", "diff", "test", "statistic",
        "p_value", "p_holm", "effect_size"), GridFiles.comparisonColumns());
    assertEquals("metric,cell,n,mean,std,ci_low,ci_high,ci_method", Files.readAllLines(dir.resolve("summary.csv")).get(0));
    assertEquals(c.size() + 1, csv.size());
    // cell names with commas are quoted; undefined values are empty
    assertTrue(csv.get(1).startsWith("iou,\"family=unetpp,upsampling=transpose\",\"family=unet,upsampling=transpose\",3,3,"),
        csv.get(1));
    String lonely = csv.stream().filter(l -> l.contains("lonely")).findFirst().orElseThrow();
    // n_a = 1: no Welch test (statistic, p_value, p_holm empty); Cohen's d pools cell_b's variance
    assertTrue(lonely.contains(",welch_t,,,,-"), lonely);

    assertEquals(s, GridFiles.readSummaries(dir));
    assertEquals(c, GridFiles.readComparisons(dir));

    List<String> jsonl = Files.readAllLines(dir.resolve("comparisons.jsonl"));
    assertEquals(c.size(), jsonl.size());
    ObjectMapper om = new ObjectMapper();
    for (int i = 0; i < c.size(); i++) {
      JsonNode j = om.readTree(jsonl.get(i));
      GridComparison r = c.get(i);
      assertEquals(GridFiles.comparisonColumns(), iterable(j.fieldNames()));
      assertEquals(r.getCellA(), j.get("cell_a").asText());
      assertEquals(r.getNA(), j.get("n_a").asInt());
      assertEquals(r.getMeanA(), j.get("mean_a").asDouble(), 0);
      if (r.getPValue() == null) {
        assertTrue(j.get("p_value").isNull());
      } else {
        assertEquals(r.getPValue(), j.get("p_value").asDouble(), 0);
        assertEquals(r.getPHolm(), j.get("p_holm").asDouble(), 0);
      }
      // the CSV row's numbers are the same doubles
      String[] f = splitCsv(csv.get(i + 1));
      assertEquals(r.getDiff(), Double.parseDouble(f[7]), 0);
    }
    List<String> sj = Files.readAllLines(dir.resolve("summary.jsonl"));
    assertEquals(s.size(), sj.size());
    assertEquals(s.get(0).getMean(), om.readTree(sj.get(0)).get("mean").asDouble(), 0);
  }

  @Test
  void sameRecordsGiveByteIdenticalFiles(@TempDir Path dir) throws Exception {
    GridStatistics stats = GridStatistics.create();
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    GridFiles.write(a, stats.summarize(obs()), stats.compareAllPairs(obs()));
    GridFiles.write(b, stats.summarize(obs()), stats.compareAllPairs(obs()));
    for (String f : List.of("summary.csv", "summary.jsonl", "summary.avro", "comparisons.csv", "comparisons.jsonl",
        "comparisons.avro")) {
      assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
    }
  }

  @Test
  void rejectsMissingFiles(@TempDir Path dir) {
    assertThrows(IllegalArgumentException.class, () -> GridFiles.readSummaries(dir));
    assertThrows(IllegalArgumentException.class, () -> GridFiles.readComparisons(dir));
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static String[] splitCsv(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean q = false;
    for (char ch : line.toCharArray()) {
      if (ch == '"') {
        q = !q;
      } else if (ch == ',' && !q) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    out.add(cur.toString());
    return out.toArray(new String[0]);
  }
}
