package org.unetpipelines.stages.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.records.Coders;

/**
 * Writes metric records, sorted, as {@code metrics.avro}, {@code metrics.csv} and
 * {@code metrics.jsonl} in one folder ({@link MetricFiles}); emits the number of records written
 * once the files are on disk. Metric sets are small, so they are gathered on one worker: the files
 * are byte-identical on every runner.
 */
public final class WriteMetrics extends PTransform<PCollection<MetricRecord>, PCollection<Integer>> {
  private final String directory;

  private WriteMetrics(String directory) {
    this.directory = directory;
  }

  public static WriteMetrics to(String directory) {
    checkArgument(directory != null && !directory.isBlank(), "output directory must not be empty");
    return new WriteMetrics(Path.of(directory).toAbsolutePath().normalize().toString());
  }

  @Override
  public PCollection<Integer> expand(PCollection<MetricRecord> records) {
    return records
        .apply("Gather", Gather.of(Coders.metricRecord()))
        .apply("WriteFiles", ParDo.of(new WriteFn(directory)));
  }

  /** Writes the gathered records. */
  static final class WriteFn extends DoFn<List<MetricRecord>, Integer> {
    private final String directory;

    WriteFn(String directory) {
      this.directory = directory;
    }

    @ProcessElement
    public void process(@Element List<MetricRecord> records, OutputReceiver<Integer> out) {
      MetricFiles.write(Path.of(directory), records);
      out.output(records.size());
    }
  }
}
