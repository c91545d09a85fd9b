/**
 * The stages as Beam schema transforms ({@code SchemaTransformProvider}): Beam YAML's and the
 * cross-language expansion service's extension point. {@link org.unetpipelines.stages.schema.ConfigRows}
 * derives a config schema from a stage's config record, {@link org.unetpipelines.stages.schema.AvroRows}
 * turns the records of {@code schemas/} into rows and back, and
 * {@link org.unetpipelines.stages.schema.StageTransformProvider} wraps a registered stage.
 */
package org.unetpipelines.stages.schema;
