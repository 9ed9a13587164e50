package dev.skiff.api.catalog;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' version priority: GA before beta before alpha, higher major and minor numbers first
 * within each level, and names that do not look like Kubernetes versions last, alphabetically. This
 * is the order of a CustomResourceDefinition's versions in discovery.
 */
public final class KubeVersionOrder implements Comparator<String> {
  public static final KubeVersionOrder INSTANCE = new KubeVersionOrder();

  private static final Pattern KUBE_VERSION =
      Pattern.compile("v([1-9][0-9]{0,8})(?:(alpha|beta)([1-9][0-9]{0,8}))?");

  private KubeVersionOrder() {}

  @Override
  public int compare(String a, String b) {
    Matcher ma = KUBE_VERSION.matcher(a);
    Matcher mb = KUBE_VERSION.matcher(b);
    boolean ka = ma.matches();
    boolean kb = mb.matches();
    if (!ka || !kb) {
      if (ka != kb) {
        return ka ? -1 : 1;
      }
      return a.compareTo(b);
    }
    int levelA = level(ma.group(2));
    int levelB = level(mb.group(2));
    if (levelA != levelB) {
      return Integer.compare(levelB, levelA);
    }
    int major = Long.compare(Long.parseLong(mb.group(1)), Long.parseLong(ma.group(1)));
    if (major != 0 || ma.group(3) == null) {
      return major;
    }
    return Long.compare(Long.parseLong(mb.group(3)), Long.parseLong(ma.group(3)));
  }

  private static int level(String stage) {
    if (stage == null) {
      return 2;
    }
    return stage.equals("beta") ? 1 : 0;
  }
}
