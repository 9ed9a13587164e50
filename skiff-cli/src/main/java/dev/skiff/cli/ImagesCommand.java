package dev.skiff.cli;

import dev.skiff.kubelet.image.ImageImporter;
import dev.skiff.kubelet.image.ImageStoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code skiff images import|ls|rm}: the image store of this node's containerd (the {@code k8s.io}
 * namespace CRI uses), as {@code k3s ctr images} manages it. For air-gapped nodes: archives
 * imported here, or dropped into {@code <data-dir>/agent/images/} before the agent starts, are used
 * by pods without any pull.
 */
@Command(
    name = "images",
    mixinStandardHelpOptions = true,
    description = {
      "Manages the images of this node's containerd (namespace k8s.io, the one pods use).",
      "Archives in <data-dir>/agent/images/ (.tar, .tar.gz, .tgz) are also imported when the"
          + " agent starts."
    },
    subcommands = {ImagesCommand.Import.class, ImagesCommand.Ls.class, ImagesCommand.Rm.class})
public final class ImagesCommand {

  /** Where the node's containerd listens: {@code --address}, else under {@code --data-dir}. */
  static final class Endpoint {
    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description =
            "The node's data directory; its containerd socket is"
                + " DIR/agent/containerd/containerd.sock (default: /var/lib/skiff as root,"
                + " ~/.skiff otherwise).")
    Path dataDir;

    @Option(
        names = "--address",
        paramLabel = "SOCK",
        description = "containerd's socket, instead of the one under --data-dir.")
    Path address;

    @Option(
        names = "--snapshotter",
        paramLabel = "NAME",
        description =
            "Snapshotter to unpack into (default: the one in the agent's containerd config.toml,"
                + " else overlayfs).")
    String snapshotter;

    /** The importer for this node: unpacks into the snapshotter CRI uses. */
    ImageImporter importer() {
      if (snapshotter != null) {
        return new ImageImporter("ctr", snapshotter, Duration.ofMinutes(5));
      }
      Path dir = dataDir != null ? dataDir : DataDirs.defaultDataDir();
      Path config = socketUnder(dir).resolveSibling("config.toml");
      return new ImageImporter("ctr", configuredSnapshotter(config), Duration.ofMinutes(5));
    }

    /** The socket to use; throws a one-line error if nothing listens there. */
    String socket() {
      if (address != null) {
        if (!Files.exists(address)) {
          throw new ImageStoreException("containerd socket " + address + " does not exist");
        }
        return address.toString();
      }
      Path dir = dataDir != null ? dataDir : DataDirs.defaultDataDir();
      Path socket = socketUnder(dir);
      if (!Files.exists(socket)) {
        throw new ImageStoreException(
            "containerd is not running for data dir "
                + dir
                + " (start `skiff agent` or `skiff server`)");
      }
      return socket.toString();
    }
  }

  /** The socket of the containerd an agent supervises for {@code dataDir}. */
  static Path socketUnder(Path dataDir) {
    return dataDir.resolve("agent").resolve("containerd").resolve("containerd.sock");
  }

  /** The {@code snapshotter = "..."} of a containerd config.toml, or overlayfs. */
  static String configuredSnapshotter(Path config) {
    try {
      Matcher matcher = SNAPSHOTTER.matcher(Files.readString(config));
      return matcher.find() ? matcher.group(1) : ImageImporter.DEFAULT_SNAPSHOTTER;
    } catch (IOException e) {
      return ImageImporter.DEFAULT_SNAPSHOTTER;
    }
  }

  private static final Pattern SNAPSHOTTER =
      Pattern.compile("(?m)^\\s*snapshotter\\s*=\\s*\"([^\"]+)\"");

  /** {@code skiff images import FILE...}. */
  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Imports OCI or Docker image archives (.tar, .tar.gz, .tgz) into the node's containerd.",
        "Prints the name of each image imported."
      })
  static final class Import implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Endpoint endpoint;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Image archives to import.")
    List<Path> files;

    @Override
    public Integer call() {
      String socket = endpoint.socket();
      ImageImporter importer = endpoint.importer();
      PrintWriter out = spec.commandLine().getOut();
      for (Path file : files) {
        for (String image : importer.importArchive(file, socket)) {
          out.println(image);
        }
      }
      out.flush();
      return 0;
    }
  }

  /** {@code skiff images ls}. */
  @Command(
      name = "ls",
      aliases = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the node's images (REF, TYPE, DIGEST, SIZE, PLATFORMS, LABELS).")
  static final class Ls implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Endpoint endpoint;

    @Option(
        names = {"-q", "--quiet"},
        description = "Print only the image names.")
    boolean quiet;

    @Override
    public Integer call() {
      String socket = endpoint.socket();
      ImageImporter importer = endpoint.importer();
      PrintWriter out = spec.commandLine().getOut();
      if (quiet) {
        importer.list(socket).forEach(out::println);
      } else {
        out.print(importer.table(socket));
      }
      out.flush();
      return 0;
    }
  }

  /** {@code skiff images rm REF...}. */
  @Command(
      name = "rm",
      aliases = "remove",
      mixinStandardHelpOptions = true,
      description = "Removes images from the node's containerd by name.")
  static final class Rm implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Endpoint endpoint;

    @Parameters(
        arity = "1..*",
        paramLabel = "REF",
        description = "Image names as `skiff images ls` shows them.")
    List<String> references;

    @Override
    public Integer call() {
      String socket = endpoint.socket();
      endpoint.importer().remove(socket, references);
      PrintWriter out = spec.commandLine().getOut();
      references.forEach(out::println);
      out.flush();
      return 0;
    }
  }
}
