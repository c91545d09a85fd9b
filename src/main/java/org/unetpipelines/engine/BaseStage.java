package org.unetpipelines.engine;

/**
 * The declarative half of a {@link Stage}, so a stage class states what it is in one constructor
 * call and implements only {@link #expand} (and {@link #check} where it has cross-field rules).
 */
public abstract class BaseStage<C extends Record> implements Stage<C> {
  private final String type;
  private final String description;
  private final Class<C> configClass;
  private final InputSpec inputs;
  private final Class<?> outputType;

  protected BaseStage(String type, String description, Class<C> configClass, InputSpec inputs, Class<?> outputType) {
    this.type = type;
    this.description = description;
    this.configClass = configClass;
    this.inputs = inputs;
    this.outputType = outputType;
  }

  @Override
  public final String type() {
    return type;
  }

  @Override
  public final String description() {
    return description;
  }

  @Override
  public final Class<C> configClass() {
    return configClass;
  }

  @Override
  public final InputSpec inputs() {
    return inputs;
  }

  @Override
  public final Class<?> outputType() {
    return outputType;
  }
}
