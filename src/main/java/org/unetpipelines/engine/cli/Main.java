package org.unetpipelines.engine.cli;

import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code unet-pipelines}: the command-line launcher. Commands are found through ServiceLoader. */
@Command(
    name = "unet-pipelines",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "U-Net-family segmentation pipelines declared as data (Apache Beam + TensorFlow Java).",
    subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Bench parent: {@code unet-pipelines bench TARGET}. */
  @Command(name = "bench", mixinStandardHelpOptions = true,
      description = "Benchmarks; each prints one JSON object as its last line.")
  static final class Bench implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(System.out);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"unet-pipelines " + (v == null ? "dev" : v)};
    }
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    for (CliCommand c : ServiceLoader.load(CliCommand.class)) {
      cl.addSubcommand(new CommandLine(c)); // built as a top-level command, so its modelTransformer applies
    }
    CommandLine bench = new CommandLine(new Bench());
    for (BenchTarget b : ServiceLoader.load(BenchTarget.class)) {
      bench.addSubcommand(b);
    }
    cl.addSubcommand(bench);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
