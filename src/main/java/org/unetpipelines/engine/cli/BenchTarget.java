package org.unetpipelines.engine.cli;

import java.util.concurrent.Callable;

/**
 * A benchmark under {@code unet-pipelines bench NAME ...}: a picocli {@code @Command} class listed in
 * {@code META-INF/services/org.unetpipelines.engine.cli.BenchTarget}. Its last line of output is one
 * JSON object with the figures.
 */
public interface BenchTarget extends Callable<Integer> {}
