package org.unetpipelines.model.resnet;

import com.google.auto.service.AutoService;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.model.ModelFamily;

/** {@code family: resnet}: the CIFAR ResNet-(6n+2) of He et al. 2016 with option-A shortcuts. Network: {@link ResNet}. */
@AutoService(ConfigChoice.class)
public final class ResNetFamily implements ModelFamily {
  @Override
  public String name() {
    return "resnet";
  }

  @Override
  public Class<ResNetConfig> config() {
    return ResNetConfig.class;
  }

  @Override
  public String description() {
    return "ResNet-(6n+2) for small images (He et al. 2016, CIFAR variant, option-A shortcuts): a classifier";
  }
}
