package org.unetpipelines.engine.cli;

import com.google.auto.service.AutoService;
import java.util.Map;
import org.unetpipelines.engine.ConfigBinder;
import org.unetpipelines.engine.ConfigChoice;
import org.unetpipelines.engine.ConfigChoices;
import org.unetpipelines.engine.Stage;
import org.unetpipelines.engine.StageRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code unet-pipelines stages}: every stage type with its config fields. */
@AutoService(CliCommand.class)
@Command(name = "stages", mixinStandardHelpOptions = true,
    description = "List every stage type with its inputs, output and config fields (type, default, description).")
public final class StagesCommand implements CliCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "TYPE", description = "show only this stage type")
  String only;

  @Option(names = "--families", description = "list the config choices instead: the model families (the values of "
      + "'model: {family: ...}') and the steps of Train's 'augment: [{type: ...}]', each with its keys")
  boolean families;

  @Override
  public Integer call() {
    if (families) {
      for (ConfigChoice c : ConfigChoices.all()) {
        System.out.printf("%s: %s — %s%n", c.key(), c.name(), c.description());
        System.out.printf("  config: %s%n", c.config().getName());
        for (ConfigBinder.FieldInfo f : ConfigBinder.describe(c.config())) {
          String def = c.defaults().getOrDefault(f.name(), f.defaultText());
          System.out.printf("    %-18s %-22s %-14s %s%n", f.name(), f.type(),
              f.required() && !c.defaults().containsKey(f.name()) ? "(required)" : "= " + def, f.docWithRange());
        }
        System.out.println();
      }
      return 0;
    }
    Map<String, Stage<?>> all = StageRegistry.load().all();
    if (only != null && !all.containsKey(only)) {
      System.err.println("unknown stage type '" + only + "'; known: " + String.join(", ", all.keySet()));
      return 2;
    }
    for (Stage<?> s : all.values()) {
      if (only != null && !only.equals(s.type())) {
        continue;
      }
      System.out.printf("%s — %s%n", s.type(), s.description());
      System.out.printf("  inputs: %s; output: %s%n", s.inputs().describe(), s.outputType().getSimpleName());
      for (ConfigBinder.FieldInfo f : ConfigBinder.describe(s.configClass())) {
        System.out.printf("    %-16s %-22s %-14s %s%n", f.name(), f.type(),
            f.required() ? "(required)" : "= " + f.defaultText(), f.docWithRange());
      }
      System.out.println();
    }
    return 0;
  }
}
