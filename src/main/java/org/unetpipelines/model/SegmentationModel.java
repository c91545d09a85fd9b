package org.unetpipelines.model;

/** The config of a segmentation family: it builds one {@link SegmentationNet}. */
public interface SegmentationModel extends NetConfig {
  SegmentationNet net();
}
