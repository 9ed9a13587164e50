package dev.skiff.kubelet.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content of one image layer, assembled in memory: files with their mode, directories, symbolic
 * links and files copied from the host. Paths are absolute inside the image; missing parent
 * directories are added with mode 0755. Entries are written sorted by path with root ownership and
 * a fixed modification time, so equal content gives an equal layer digest.
 */
public final class Layer {
  private sealed interface Entry permits FileEntry, DirectoryEntry, SymlinkEntry {}

  private record FileEntry(byte[] content, int mode) implements Entry {}

  private record DirectoryEntry(int mode) implements Entry {}

  private record SymlinkEntry(String target) implements Entry {}

  private final Map<String, Entry> entries = new TreeMap<>();

  /** A regular file with the given permission bits (e.g. {@code 0644}). */
  public Layer file(String path, byte[] content, int mode) {
    entries.put(normalize(path), new FileEntry(content.clone(), mode));
    return this;
  }

  /** A regular UTF-8 text file. */
  public Layer file(String path, String content, int mode) {
    return file(path, content.getBytes(StandardCharsets.UTF_8), mode);
  }

  /** A regular file copied from the host now; throws if the host file cannot be read. */
  public Layer hostFile(String path, Path source, int mode) {
    try {
      return file(path, Files.readAllBytes(source), mode);
    } catch (NoSuchFileException e) {
      throw new IllegalStateException("host file " + source + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read host file " + source, e);
    }
  }

  /** A directory with the given permission bits (e.g. {@code 01777} for /tmp). */
  public Layer directory(String path, int mode) {
    entries.put(normalize(path), new DirectoryEntry(mode));
    return this;
  }

  /** A symbolic link at {@code path} pointing at {@code target} (relative or absolute). */
  public Layer symlink(String path, String target) {
    entries.put(normalize(path), new SymlinkEntry(target));
    return this;
  }

  /** The paths of this layer (relative to the root, sorted), parents included. */
  public List<String> paths() {
    return List.copyOf(withParents().keySet());
  }

  /** The uncompressed tar stream of this layer. */
  public byte[] tar() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarWriter tar = new TarWriter(bytes)) {
      for (Map.Entry<String, Entry> e : withParents().entrySet()) {
        switch (e.getValue()) {
          case FileEntry f -> tar.file(e.getKey(), f.mode(), f.content());
          case DirectoryEntry d -> tar.directory(e.getKey(), d.mode());
          case SymlinkEntry s -> tar.symlink(e.getKey(), s.target());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private Map<String, Entry> withParents() {
    Map<String, Entry> all = new TreeMap<>(entries);
    List<String> parents = new ArrayList<>();
    for (String path : entries.keySet()) {
      for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        parents.add(path.substring(0, slash));
      }
    }
    for (String parent : parents) {
      Entry existing = all.get(parent);
      if (existing == null) {
        all.put(parent, new DirectoryEntry(0755));
      } else if (!(existing instanceof DirectoryEntry)) {
        throw new IllegalArgumentException("/" + parent + " is used as a directory and as a file");
      }
    }
    return all;
  }

  private static String normalize(String path) {
    String normalized = Path.of("/").resolve(path).normalize().toString();
    if (normalized.equals("/")) {
      throw new IllegalArgumentException("a layer entry needs a path below /, got " + path);
    }
    return normalized.substring(1);
  }
}
