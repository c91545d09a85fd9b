package org.unetpipelines.model.unetpp;

import com.google.auto.service.AutoService;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.model.ModelFamily;

/**
 * {@code family: unetpp} (UNet++, Zhou et al. 2018: nested dense skip pathways, optional deep
 * supervision and pruning) and {@code family: unetplus} (UNet+: the same nodes, neighbour skips
 * only). Network: {@link UNetPlusPlus}; keys: {@link UNetPlusPlusConfig}.
 */
@AutoService(ConfigChoice.class)
public final class UNetPlusPlusFamily implements ModelFamily {
  @Override
  public String name() {
    return UNetPlusPlusConfig.UNETPP;
  }

  @Override
  public Class<UNetPlusPlusConfig> config() {
    return UNetPlusPlusConfig.class;
  }

  @Override
  public String description() {
    return "UNet++ (Zhou et al. 2018): nested dense skip pathways X^{i,j}, deep supervision heads L1..L4, pruning";
  }

  /** {@code family: unetplus}: the UNet++ nodes with neighbour skips only. */
  @AutoService(ConfigChoice.class)
  public static final class Plus implements ModelFamily {
    @Override
    public String name() {
      return UNetPlusPlusConfig.UNETPLUS;
    }

    @Override
    public Class<UNetPlusPlusConfig> config() {
      return UNetPlusPlusConfig.class;
    }

    @Override
    public String description() {
      return "UNet+ (Zhou et al. 2019): the UNet++ nodes, each reading only its left neighbour X^{i,j-1}";
    }
  }
}
