package org.unetpipelines.train;

import java.util.List;

/**
 * A batch as flat arrays: images [n, H, W, C], targets [n, H', W', K], weights [n, H', W', 1].
 *
 * @param epoch the epoch the batch belongs to
 * @param index the batch's index within its epoch
 */
public record Batch(int size, float[] images, float[] targets, float[] weights, List<String> ids, long epoch,
    long index) {}
