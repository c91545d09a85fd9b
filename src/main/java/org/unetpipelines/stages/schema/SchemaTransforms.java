package org.unetpipelines.stages.schema;

import com.google.auto.service.AutoService;
import org.apache.beam.sdk.schemas.transforms.SchemaTransformProvider;

/**
 * The stage types that map samples to samples (reading, augmentation, writing, evaluation,
 * prediction) as Beam schema transforms, one provider each, registered for the expansion service
 * with {@code @AutoService}. Everything but the type name is derived ({@link StageTransformProvider}).
 * Not here: {@code ContactSheet} and {@code Report} (they write a file and emit its path) and
 * {@code Train} (it emits a model artifact, not samples).
 */
public final class SchemaTransforms {
  private SchemaTransforms() {}

  /** {@code ReadImageSet} as {@code beam:schematransform:org.unetpipelines:read_image_set:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class ReadImageSet extends StageTransformProvider {
    public ReadImageSet() {
      super("ReadImageSet");
    }
  }

  /** {@code SyntheticImages} as {@code beam:schematransform:org.unetpipelines:synthetic_images:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class SyntheticImages extends StageTransformProvider {
    public SyntheticImages() {
      super("SyntheticImages");
    }
  }

  /** {@code ReadShards} as {@code beam:schematransform:org.unetpipelines:read_shards:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class ReadShards extends StageTransformProvider {
    public ReadShards() {
      super("ReadShards");
    }
  }

  /** {@code MirrorPad} as {@code beam:schematransform:org.unetpipelines:mirror_pad:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class MirrorPad extends StageTransformProvider {
    public MirrorPad() {
      super("MirrorPad");
    }
  }

  /** {@code ElasticDeform} as {@code beam:schematransform:org.unetpipelines:elastic_deform:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class ElasticDeform extends StageTransformProvider {
    public ElasticDeform() {
      super("ElasticDeform");
    }
  }

  /** {@code Rotate} as {@code beam:schematransform:org.unetpipelines:rotate:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class Rotate extends StageTransformProvider {
    public Rotate() {
      super("Rotate");
    }
  }

  /** {@code Flip} as {@code beam:schematransform:org.unetpipelines:flip:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class Flip extends StageTransformProvider {
    public Flip() {
      super("Flip");
    }
  }

  /** {@code Crop} as {@code beam:schematransform:org.unetpipelines:crop:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class Crop extends StageTransformProvider {
    public Crop() {
      super("Crop");
    }
  }

  /** {@code Tile} as {@code beam:schematransform:org.unetpipelines:tile:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class Tile extends StageTransformProvider {
    public Tile() {
      super("Tile");
    }
  }

  /** {@code BorderWeightMap} as {@code beam:schematransform:org.unetpipelines:border_weight_map:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class BorderWeightMap extends StageTransformProvider {
    public BorderWeightMap() {
      super("BorderWeightMap");
    }
  }

  /** {@code WriteAvro} as {@code beam:schematransform:org.unetpipelines:write_avro:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class WriteAvro extends StageTransformProvider {
    public WriteAvro() {
      super("WriteAvro");
    }
  }

  /** {@code WriteTFRecord} as {@code beam:schematransform:org.unetpipelines:write_tf_record:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class WriteTFRecord extends StageTransformProvider {
    public WriteTFRecord() {
      super("WriteTFRecord");
    }
  }

  /** {@code Evaluate} as {@code beam:schematransform:org.unetpipelines:evaluate:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class Evaluate extends StageTransformProvider {
    public Evaluate() {
      super("Evaluate");
    }
  }

  /** {@code Predict} as {@code beam:schematransform:org.unetpipelines:predict:v1}. */
  @AutoService(SchemaTransformProvider.class)
  public static final class Predict extends StageTransformProvider {
    public Predict() {
      super("Predict");
    }
  }
}
