package org.unetpipelines.model.unet;

import com.google.auto.service.AutoService;
import java.util.Map;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.model.ModelFamily;

/**
 * {@code family: unet} (Ronneberger et al. 2015 and its variants: padding, upsampling, batch norm,
 * dropout, no skips) and {@code family: wide_unet} (the same network with 35..560 filters: the
 * UNet++ paper's U-Net of about UNet++'s size). Network: {@link UNet}; keys: {@link UNetConfig}.
 */
@AutoService(ConfigChoice.class)
public final class UNetFamily implements ModelFamily {
  @Override
  public String name() {
    return "unet";
  }

  @Override
  public Class<UNetConfig> config() {
    return UNetConfig.class;
  }

  @Override
  public String description() {
    return "U-Net (Ronneberger et al. 2015): contracting and expanding paths with skip connections";
  }

  /** {@code family: wide_unet}: a U-Net whose first level has 35 filters (35, 70, 140, 280, 560). */
  @AutoService(ConfigChoice.class)
  public static final class Wide implements ModelFamily {
    @Override
    public String name() {
      return "wide_unet";
    }

    @Override
    public Class<UNetConfig> config() {
      return UNetConfig.class;
    }

    @Override
    public String description() {
      return "wide U-Net (UNet++ paper): a U-Net with 35..560 filters, about UNet++'s parameter count";
    }

    @Override
    public Map<String, String> defaults() {
      return Map.of("filters", "35");
    }
  }
}
