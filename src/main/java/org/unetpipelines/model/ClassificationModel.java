package org.unetpipelines.model;

/** The config of a classification family: it builds one {@link ClassifierNet}. */
public interface ClassificationModel extends NetConfig {
  ClassifierNet net();
}
