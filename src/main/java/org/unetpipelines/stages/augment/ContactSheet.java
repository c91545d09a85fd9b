package org.unetpipelines.stages.augment;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.service.AutoService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.unetpipelines.augment.ContactSheets;
import org.unetpipelines.engine.BaseStage;
import org.unetpipelines.engine.InputSpec;
import org.unetpipelines.engine.Param;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageContext;
import org.unetpipelines.image.ImageCodec;
import org.unetpipelines.image.Tensors;
import org.unetpipelines.records.Coders;
import org.unetpipelines.records.Sample;

/**
 * Writes one PNG so a person can see what augmentation does: for the first {@code rows} original
 * samples (by id), a row of original / augmented / augmented with mask overlay
 * ({@link ContactSheets}). The augmented sample shown for an original is its descendant with the
 * smallest id ({@code <original id>/...}). Input: a list of two collections, originals first.
 * Emits the PNG's path.
 *
 * <pre>{@code PCollectionList.of(originals).and(deformed).apply(ContactSheet.to("/tmp/sheet.png"))}</pre>
 */
public final class ContactSheet extends PTransform<PCollectionList<Sample>, PCollection<String>> {
  private final String path;
  private final int rows;
  private final int cell;

  private ContactSheet(String path, int rows, int cell) {
    this.path = path;
    this.rows = rows;
    this.cell = cell;
  }

  /** A sheet of 4 rows of 256-pixel cells at {@code path}. */
  public static ContactSheet to(String path) {
    checkArgument(path != null && !path.isBlank(), "contact sheet path must not be empty");
    checkArgument(path.toLowerCase(java.util.Locale.ROOT).endsWith(".png"), "contact sheet path must end in .png, got '%s'", path);
    return new ContactSheet(path, 4, 256);
  }

  public ContactSheet withRows(int n) {
    checkArgument(n >= 1 && n <= 64, "rows must be 1..64, got %s", n);
    return new ContactSheet(path, n, cell);
  }

  public ContactSheet withCell(int px) {
    checkArgument(px >= 16 && px <= 2048, "cell must be 16..2048 pixels, got %s", px);
    return new ContactSheet(path, rows, px);
  }

  @Override
  public PCollection<String> expand(PCollectionList<Sample> inputs) {
    checkArgument(inputs.size() == 2, "ContactSheet takes two inputs (originals, augmented), got %s", inputs.size());
    PCollection<Sample> originals = inputs.get(0);
    PCollection<Sample> augmented = inputs.get(1);
    KvCoder<String, Sample> kv = KvCoder.of(StringUtf8Coder.of(), Coders.sample());
    PCollectionView<List<String>> chosen = originals
        .apply("Ids", MapElements.into(TypeDescriptors.strings()).via(Sample::getId))
        .apply("FirstIds", Top.smallest(rows))
        .apply("ChosenView", View.asSingleton());
    PCollection<KV<String, Sample>> chosenOriginals = originals
        .apply("KeepChosen", ParDo.of(new ByParentFn(chosen, true)).withSideInputs(chosen)).setCoder(kv);
    PCollection<KV<String, Sample>> firstAugmented = augmented
        .apply("ByParent", ParDo.of(new ByParentFn(chosen, false)).withSideInputs(chosen)).setCoder(kv)
        .apply("FirstCopy", Combine.perKey(new SmallestIdFn()));
    TupleTag<Sample> origTag = new TupleTag<>("original");
    TupleTag<Sample> augTag = new TupleTag<>("augmented");
    return KeyedPCollectionTuple.of(origTag, chosenOriginals).and(augTag, firstAugmented)
        .apply("Join", CoGroupByKey.create())
        .apply("Pair", ParDo.of(new PairFn(origTag, augTag)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(Coders.sample(), NullableCoder.of(Coders.sample()))))
        .apply("Gather", GroupByKey.create())
        .apply("Render", ParDo.of(new RenderFn(path, cell)))
        .setCoder(StringUtf8Coder.of());
  }

  /** Keys a sample by the chosen original it is (keepOriginals) or descends from; drops the rest. */
  static final class ByParentFn extends DoFn<Sample, KV<String, Sample>> {
    private final PCollectionView<List<String>> chosen;
    private final boolean originals;

    ByParentFn(PCollectionView<List<String>> chosen, boolean originals) {
      this.chosen = chosen;
      this.originals = originals;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      String id = c.element().getId();
      for (String parent : c.sideInput(chosen)) {
        if (originals ? id.equals(parent) : id.startsWith(parent + "/")) {
          c.output(KV.of(parent, c.element()));
          return;
        }
      }
    }
  }

  static final class SmallestIdFn implements SerializableFunction<Iterable<Sample>, Sample> {
    @Override
    public Sample apply(Iterable<Sample> samples) {
      Sample best = null;
      for (Sample s : samples) {
        if (best == null || s.getId().compareTo(best.getId()) < 0) {
          best = s;
        }
      }
      return best;
    }
  }

  /** (original, first augmented or null) under one key, so one worker renders the sheet. */
  static final class PairFn extends DoFn<KV<String, CoGbkResult>, KV<String, KV<Sample, Sample>>> {
    private final TupleTag<Sample> origTag;
    private final TupleTag<Sample> augTag;

    PairFn(TupleTag<Sample> origTag, TupleTag<Sample> augTag) {
      this.origTag = origTag;
      this.augTag = augTag;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> e, OutputReceiver<KV<String, KV<Sample, Sample>>> out) {
      Sample o = e.getValue().getOnly(origTag, null);
      if (o != null) {
        out.output(KV.of("sheet", KV.of(o, e.getValue().getOnly(augTag, null))));
      }
    }
  }

  static final class RenderFn extends DoFn<KV<String, Iterable<KV<Sample, Sample>>>, String> {
    private final String path;
    private final int cell;

    RenderFn(String path, int cell) {
      this.path = path;
      this.cell = cell;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<Sample, Sample>>> in, OutputReceiver<String> out)
        throws IOException {
      Map<String, ContactSheets.Row> byId = new TreeMap<>();
      for (KV<Sample, Sample> e : in.getValue()) {
        Sample o = e.getKey();
        Sample a = e.getValue();
        byId.put(o.getId(), new ContactSheets.Row(Tensors.toImage(o.getImage()),
            a == null ? null : Tensors.toImage(a.getImage()),
            a == null || a.getMask() == null ? null : Tensors.toImage(a.getMask())));
      }
      Path p = Path.of(path);
      if (p.getParent() != null) {
        Files.createDirectories(p.getParent());
      }
      Files.write(p, ImageCodec.encodePng(ContactSheets.render(new ArrayList<>(byId.values()), cell)));
      out.output(path);
    }
  }

  /** YAML config of {@code ContactSheet}. */
  public record Config(
      @Param(doc = "PNG to write, relative to the output folder") String path,
      @Param(doc = "samples shown (the first by id), 1..64", def = "4", min = 1, max = 64) int rows,
      @Param(doc = "cell size in pixels, 16..2048", def = "256", min = 16, max = 2048) int cell) {}

  /** The {@code ContactSheet} stage type: {@code input: [Originals, Augmented]}. */
  @AutoService(Stage.class)
  public static final class Provider extends BaseStage<Config> {
    public Provider() {
      super("ContactSheet", "One PNG of original / augmented / mask overlay rows; input: [originals, augmented]",
          Config.class, InputSpec.of(2, 2, Sample.class), String.class);
    }

    @Override
    public List<String> check(Config c) {
      List<String> out = new ArrayList<>();
      try {
        ContactSheet.to(c.path()).withRows(c.rows()).withCell(c.cell());
      } catch (IllegalArgumentException e) {
        out.add(e.getMessage());
      }
      return out;
    }

    @Override
    @SuppressWarnings("unchecked")
    public PCollection<?> expand(StageContext ctx, List<PCollection<?>> inputs, Config c) {
      PCollectionList<Sample> list = PCollectionList.of((PCollection<Sample>) inputs.get(0))
          .and((PCollection<Sample>) inputs.get(1));
      return list.apply(ctx.stageName(), ContactSheet.to(ctx.output(c.path())).withRows(c.rows()).withCell(c.cell()));
    }
  }
}
