package dev.skiff.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hostPath type against every kind of file, in a temp dir (block device made by mknod as
 * root).
 */
class HostPathTypesTest {
  @TempDir Path tmp;
  private ServerSocketChannel socket;

  enum Kind {
    DIRECTORY,
    FILE,
    SOCKET,
    CHAR_DEVICE,
    BLOCK_DEVICE,
    MISSING
  }

  record Case(String name, String type, Kind kind, String failure) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeEach
  void makeFiles() throws Exception {
    Files.createDirectory(tmp.resolve("dir"));
    Files.writeString(tmp.resolve("file"), "x");
    socket = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
    socket.bind(UnixDomainSocketAddress.of(tmp.resolve("sock")));
    assertThat(
            new ProcessBuilder("mknod", tmp.resolve("char").toString(), "c", "1", "3")
                .start()
                .waitFor())
        .isZero();
    Process mknod =
        new ProcessBuilder("mknod", tmp.resolve("block").toString(), "b", "7", "250").start();
    assertThat(mknod.waitFor()).isZero();
  }

  @AfterEach
  void closeSocket() throws IOException {
    socket.close();
  }

  private Path path(Kind kind) {
    return tmp.resolve(
        switch (kind) {
          case DIRECTORY -> "dir";
          case FILE -> "file";
          case SOCKET -> "sock";
          case CHAR_DEVICE -> "char";
          case BLOCK_DEVICE -> "block";
          case MISSING -> "missing";
        });
  }

  static Stream<Case> cases() {
    List<Case> cases = new java.util.ArrayList<>();
    String[][] types = {
      {"Directory", "DIRECTORY", "is not a directory"},
      {"DirectoryOrCreate", "DIRECTORY", "is not a directory"},
      {"File", "FILE", "is not a file"},
      {"FileOrCreate", "FILE", "is not a file"},
      {"Socket", "SOCKET", "is not a socket file"},
      {"CharDevice", "CHAR_DEVICE", "is not a character device"},
      {"BlockDevice", "BLOCK_DEVICE", "is not a block device"},
    };
    for (String[] type : types) {
      for (Kind kind : Kind.values()) {
        boolean creates = type[0].endsWith("OrCreate") && kind == Kind.MISSING;
        boolean ok = kind.name().equals(type[1]) || creates;
        cases.add(new Case(type[0] + " on " + kind, type[0], kind, ok ? null : type[2]));
      }
    }
    for (Kind kind : Kind.values()) {
      cases.add(new Case("unset type on " + kind, "", kind, null));
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void checksTheTypeAsKubernetes(Case c) throws IOException {
    Path path = path(c.kind());
    if (c.failure() == null) {
      HostPathTypes.check(path, c.type());
    } else {
      assertThatThrownBy(() -> HostPathTypes.check(path, c.type()))
          .hasMessage("hostPath type check failed: " + path + " " + c.failure());
    }
  }

  @Test
  void directoryOrCreateMakesParentsWith0755() throws IOException {
    Path path = tmp.resolve("a/b/c");

    HostPathTypes.check(path, "DirectoryOrCreate");

    assertThat(path).isDirectory();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
        .isEqualTo("rwxr-xr-x");
  }

  @Test
  void fileOrCreateMakesAnEmpty0644FileButNotItsParent() throws IOException {
    Path path = tmp.resolve("new-file");
    HostPathTypes.check(path, "FileOrCreate");
    assertThat(path).isRegularFile().isEmptyFile();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
        .isEqualTo("rw-r--r--");

    assertThatThrownBy(() -> HostPathTypes.check(tmp.resolve("no-parent/file"), "FileOrCreate"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void unknownTypeIsInvalid() {
    assertThatThrownBy(() -> HostPathTypes.check(tmp, "Pipe"))
        .hasMessage("Pipe is an invalid volume type");
  }
}
