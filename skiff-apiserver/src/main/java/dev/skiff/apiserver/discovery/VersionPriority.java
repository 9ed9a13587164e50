package dev.skiff.apiserver.discovery;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' version priority, which picks the preferred version of a group: GA, then beta, then
 * alpha; higher numbers first; other names last, alphabetically.
 */
final class VersionPriority implements Comparator<String> {
  static final VersionPriority INSTANCE = new VersionPriority();

  private static final Pattern KUBE = Pattern.compile("v(\\d+)(?:(alpha|beta)(\\d+))?");

  private VersionPriority() {}

  @Override
  public int compare(String a, String b) {
    Matcher ma = KUBE.matcher(a);
    Matcher mb = KUBE.matcher(b);
    boolean ka = ma.matches();
    boolean kb = mb.matches();
    if (!ka || !kb) {
      return ka == kb ? a.compareTo(b) : (ka ? -1 : 1);
    }
    int byStage = Integer.compare(stage(mb.group(2)), stage(ma.group(2)));
    if (byStage != 0) {
      return byStage;
    }
    int byMajor = Long.compare(Long.parseLong(mb.group(1)), Long.parseLong(ma.group(1)));
    if (byMajor != 0 || ma.group(3) == null) {
      return byMajor;
    }
    return Long.compare(Long.parseLong(mb.group(3)), Long.parseLong(ma.group(3)));
  }

  private static int stage(String stage) {
    return stage == null ? 2 : stage.equals("beta") ? 1 : 0;
  }
}
