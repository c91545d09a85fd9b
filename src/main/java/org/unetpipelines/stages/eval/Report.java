package org.unetpipelines.stages.eval;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.unetpipelines.engine.BaseStage;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.eval.HtmlReport;
import org.unetpipelines.eval.MetricFiles;
import org.unetpipelines.records.CurvePoint;
import org.unetpipelines.records.MetricRecord;
import org.unetpipelines.records.ModelArtifact;
import org.unetpipelines.records.Coders;
import org.unetpipelines.train.Trainer;

/**
 * Writes the HTML report ({@link HtmlReport}) once all metric records are in: the metrics table,
 * training curves (from the given curve files and from the {@code curve} of any model artifacts),
 * the validation pictures the trainings wrote beside their curves ({@link Trainer#PICTURES}) and the
 * first few overlays of an Evaluate output folder. Emits the report's path.
 *
 * <pre>{@code
 * metrics.apply(Report.to("/out/report").withOverlays("/out/eval/overlays").withCurves(List.of("/out/train/curve.csv")));
 * }</pre>
 */
public final class Report extends PTransform<PCollection<MetricRecord>, PCollection<String>> {
  private static final Logger LOG = LoggerFactory.getLogger(Report.class);

  /** Most sample overlays one report shows. */
  public static final int MAX_SAMPLES = 100;

  private final String directory;
  private final String title;
  private final List<String> curves;
  private final PCollection<ModelArtifact> artifacts;
  private final String overlays;
  private final int samples;

  private Report(String directory, String title, List<String> curves, PCollection<ModelArtifact> artifacts,
      String overlays, int samples) {
    this.directory = directory;
    this.title = title;
    this.curves = curves;
    this.artifacts = artifacts;
    this.overlays = overlays;
    this.samples = samples;
  }

  public static Report to(String directory) {
    checkArgument(directory != null && !directory.isBlank(), "report directory must not be empty");
    return new Report(Path.of(directory).toAbsolutePath().normalize().toString(), "unet-pipelines report",
        List.of(), null, null, 4);
  }

  public Report withTitle(String title) {
    checkArgument(title != null && !title.isBlank(), "title must not be empty");
    return new Report(directory, title, curves, artifacts, overlays, samples);
  }

  /** Training-curve files (CSV or Avro of CurvePoint). */
  public Report withCurves(List<String> files) {
    checkArgument(files != null, "curve files must not be null");
    return new Report(directory, title, List.copyOf(files), artifacts, overlays, samples);
  }

  /** Model artifacts whose {@code curve} files are plotted too. */
  public Report withModels(PCollection<ModelArtifact> models) {
    checkArgument(models != null, "model artifacts must not be null");
    return new Report(directory, title, curves, models, overlays, samples);
  }

  /** The overlays folder Evaluate wrote ({@code <eval>/overlays}). */
  public Report withOverlays(String folder) {
    checkArgument(folder != null && !folder.isBlank(), "overlays folder must not be empty");
    return new Report(directory, title, curves, artifacts, folder, samples);
  }

  /** How many sample overlays to show, 0..100. */
  public Report withSamples(int n) {
    checkArgument(n >= 0 && n <= MAX_SAMPLES, "samples must be 0..%s, got %s", MAX_SAMPLES, n);
    return new Report(directory, title, curves, artifacts, overlays, n);
  }

  @Override
  public PCollection<String> expand(PCollection<MetricRecord> metrics) {
    PCollection<ModelArtifact> models = artifacts != null ? artifacts
        : metrics.getPipeline().apply("NoModels", Create.empty(Coders.modelArtifact()));
    PCollectionView<List<ModelArtifact>> view = models.apply("ModelsAsList", View.asList());
    return metrics
        .apply("Gather", Gather.of(Coders.metricRecord()))
        .apply("WriteReport", ParDo.of(new ReportFn(directory, title, curves, view, overlays, samples))
            .withSideInputs(view));
  }

  /**
   * The validation pictures a training wrote beside its curve file ({@code pictures/} of the curve's
   * folder, {@link Trainer#PICTURES}), labelled with {@code run} or, when null, the folder's name.
   */
  static List<HtmlReport.Picture> picturesBeside(Path curve, String run) {
    Path folder = curve.toAbsolutePath().getParent();
    if (folder == null) {
      return List.of();
    }
    return HtmlReport.readPictures(folder.resolve(Trainer.PICTURES),
        run != null ? run : String.valueOf(folder.getFileName()));
  }

  /** Writes the page from all records. */
  static final class ReportFn extends DoFn<List<MetricRecord>, String> {
    private final String directory;
    private final String title;
    private final List<String> curves;
    private final PCollectionView<List<ModelArtifact>> view;
    private final String overlays;
    private final int samples;

    ReportFn(String directory, String title, List<String> curves, PCollectionView<List<ModelArtifact>> view,
        String overlays, int samples) {
      this.directory = directory;
      this.title = title;
      this.curves = curves;
      this.view = view;
      this.overlays = overlays;
      this.samples = samples;
    }

    @ProcessElement
    public void process(@Element List<MetricRecord> records, ProcessContext ctx) {
      List<String> files = new ArrayList<>(curves);
      java.util.Map<String, String> runs = new java.util.HashMap<>();
      for (ModelArtifact a : ctx.sideInput(view)) {
        if (a.getCurve() != null && !files.contains(a.getCurve())) {
          files.add(a.getCurve());
          runs.put(a.getCurve(), a.getRun());
        }
      }
      List<CurvePoint> points = new ArrayList<>();
      List<HtmlReport.Picture> epochPictures = new ArrayList<>();
      for (String f : files) {
        points.addAll(MetricFiles.readCurve(Path.of(f)));
        epochPictures.addAll(picturesBeside(Path.of(f), runs.get(f)));
      }
      List<HtmlReport.Sample> pictures = overlays == null ? List.of()
          : HtmlReport.readOverlays(Path.of(overlays), samples);
      Path page = HtmlReport.write(Path.of(directory), title, records, points, epochPictures, pictures);
      LOG.info("report written: {}", page.toUri());
      ctx.output(page.toString());
    }
  }

  /** YAML config of {@code Report}. */
  public record Config(
      @Param(doc = "output folder (under the output root) for report.html", def = "report") String path,
      @Param(doc = "page title; default: the pipeline name", def = Param.NULL) String title,
      @Param(doc = "training-curve files (CSV run,step,epoch,split,metric,value,elapsedSeconds or Avro), besides "
          + "the curve of any ModelArtifact input", def = "[]") List<String> curves,
      @Param(doc = "overlays folder written by Evaluate (under the output root)", def = "eval/overlays")
          String overlays,
      @Param(doc = "how many sample overlays to show", def = "4", min = 0, max = Report.MAX_SAMPLES) int samples) {}

  /** The {@code Report} stage type. */
  @AutoService(Stage.class)
  public static final class Provider extends BaseStage<Config> {
    public Provider() {
      super("Report",
          "One self-contained HTML page: metrics table, training curves (XChart PNGs), sample overlays",
          Config.class, InputSpec.of(1, 9, MetricRecord.class, ModelArtifact.class), String.class);
    }

    @Override
    public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, Config c) {
      List<PCollection<MetricRecord>> all = StageContext.inputsOfType(inputs, MetricRecord.class);
      if (all.isEmpty()) {
        throw new IllegalArgumentException("stage '" + ctx.stageName() + "': Report needs a MetricRecord input "
            + "(an Evaluate stage)");
      }
      // Several Evaluate stages (e.g. one per UNet++ head) make one table: their records side by side.
      PCollection<MetricRecord> metrics = all.size() == 1 ? all.get(0)
          : org.apache.beam.sdk.values.PCollectionList.of(all).apply(ctx.stageName() + "Metrics",
              org.apache.beam.sdk.transforms.Flatten.pCollections());
      List<String> curveFiles = new ArrayList<>();
      c.curves().forEach(f -> curveFiles.add(ctx.outputToRead(f)));
      Report t = Report.to(ctx.output(c.path()))
          .withTitle(c.title() != null ? c.title() : ctx.pipelineName())
          .withCurves(curveFiles).withOverlays(ctx.outputToRead(c.overlays())).withSamples(c.samples());
      var models = StageContext.inputOfType(inputs, ModelArtifact.class);
      if (models.isPresent()) {
        t = t.withModels(models.get());
      }
      return metrics.apply(ctx.stageName(), t);
    }
  }
}
