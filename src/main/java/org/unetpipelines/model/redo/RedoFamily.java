package org.unetpipelines.model.redo;

import com.google.auto.service.AutoService;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.model.ModelFamily;

/**
 * {@code family: redo}: unsupervised object segmentation by redrawing (Chen, Artieres, Denoyer,
 * NeurIPS 2019), the original code's four networks: mask network {@link MaskNetwork} F, one
 * {@link RegionGenerator} G_k per region, the discriminator and the z-encoder delta
 * ({@link ResidualEncoder}). Keys: {@link RedoConfig}; task: {@link org.unetpipelines.train.task.Redraw}.
 */
@AutoService(ConfigChoice.class)
public final class RedoFamily implements ModelFamily {
  @Override
  public String name() {
    return RedoConfig.FAMILY;
  }

  @Override
  public Class<RedoConfig> config() {
    return RedoConfig.class;
  }

  @Override
  public String description() {
    return "ReDo (Chen et al. 2019): object masks learned without labels by redrawing regions against a discriminator";
  }
}
