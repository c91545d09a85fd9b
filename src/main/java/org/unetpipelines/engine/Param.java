package org.unetpipelines.engine;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documents one field of a stage's config record: its description and its default. A field whose
 * default is {@link #REQUIRED} must be given in the pipeline file; {@link #NULL} means "absent".
 * Defaults are written as YAML scalars or flow sequences ({@code "3"}, {@code "cubic"}, {@code "[1, 2]"}).
 *
 * <p>Numeric fields (and lists of numbers) may declare an inclusive range with {@link #min} and
 * {@link #max} (exclusive ends with {@link #minExclusive} / {@link #maxExclusive}); the engine checks
 * it for every value, given or default, before anything runs, and names the range in its error. Every
 * double field must be finite. Every numeric field of a registered stage's config states both ends
 * ({@code ConfigBoundsTest} walks them all), so no value can overflow, exhaust memory or be
 * meaningless unnoticed.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Param {
  String REQUIRED = "\u0000required";
  String NULL = "\u0000null";

  /** One line: what the field means, its unit and range. */
  String doc();

  /** The default, as YAML text. */
  String def() default REQUIRED;

  /** The YAML key, when it differs from the record component's name (e.g. {@code filters} for {@code baseFilters}). */
  String name() default "";

  /**
   * For a record-typed field: its keys are written in the enclosing mapping itself (flattened), not
   * in a nested mapping. Lets one typed record (e.g. the training settings) serve several configs.
   */
  boolean inline() default false;

  /** Not a YAML key: always its default (set by code, e.g. a seed the stage derives from the pipeline's). */
  boolean internal() default false;

  /** Smallest allowed value of a numeric field (inclusive); no bound by default. */
  double min() default Double.NEGATIVE_INFINITY;

  /** Largest allowed value of a numeric field (inclusive); no bound by default. */
  double max() default Double.POSITIVE_INFINITY;

  /** {@link #min} itself is not allowed: the value must be greater (e.g. a learning rate {@code > 0}). */
  boolean minExclusive() default false;

  /** {@link #max} itself is not allowed: the value must be smaller (e.g. a momentum {@code < 1}). */
  boolean maxExclusive() default false;
}
