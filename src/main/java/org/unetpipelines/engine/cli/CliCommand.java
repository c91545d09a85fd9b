package org.unetpipelines.engine.cli;

import java.util.concurrent.Callable;

/**
 * A top-level CLI command ({@code unet-pipelines NAME ...}): a picocli {@code @Command} class with a
 * public no-arg constructor, annotated {@code @AutoService(CliCommand.class)}.
 * Return the process exit code (0 ok, 1 failed, 2 bad input).
 */
public interface CliCommand extends Callable<Integer> {}
