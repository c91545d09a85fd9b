package org.unetpipelines.runners;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** What a flink-cluster run needs beyond Beam's Flink options. */
public interface ClusterJobOptions extends PipelineOptions {
  @Description("Wait for a job submitted to a Flink cluster and print its progress (false: print its id and return)")
  @Default.Boolean(true)
  boolean getFollowJob();

  void setFollowJob(boolean follow);
}
