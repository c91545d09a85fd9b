package org.unetpipelines.engine.cli;

import java.util.concurrent.Callable;

/**
 * A benchmark under {@code unet-pipelines bench NAME ...}: a picocli {@code @Command} class annotated
 * {@code @AutoService(BenchTarget.class)}. Its last line of output is one
 * JSON object with the figures.
 */
public interface BenchTarget extends Callable<Integer> {}
