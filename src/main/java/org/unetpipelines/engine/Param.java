package org.unetpipelines.engine;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documents one field of a stage's config record: its description and its default. A field whose
 * default is {@link #REQUIRED} must be given in the pipeline file; {@link #NULL} means "absent".
 * Defaults are written as YAML scalars or flow sequences ({@code "3"}, {@code "cubic"}, {@code "[1, 2]"}).
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
}
