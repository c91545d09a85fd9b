package org.unetpipelines.model.sunet;

import com.google.auto.service.AutoService;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.model.ModelFamily;

/** {@code family: sunet}: the Stacked U-Nets (SUNet-64, -128, -7-128, and the small-image SUNet-64-u1 / -u2). Network: {@link SUNet}. */
@AutoService(ConfigChoice.class)
public final class SUNetFamily implements ModelFamily {
  @Override
  public String name() {
    return "sunet";
  }

  @Override
  public Class<SUNetConfig> config() {
    return SUNetConfig.class;
  }

  @Override
  public String description() {
    return "Stacked U-Nets (Shah et al. 2018): blocks of pre-activation U-Net modules; a classifier "
        + "(sunet64, sunet128, sunet7_128 for ImageNet sizes, u1 / u2 for 32x32)";
  }
}
