package dev.skiff.scheduler.framework;

import dev.skiff.scheduler.client.ClusterClient;
import java.time.InstantSource;

/** What a plugin may use besides its arguments. */
public interface Handle {
  /** The snapshot of the current scheduling cycle. */
  Snapshot snapshot();

  Listers listers();

  ClusterClient client();

  Nominator nominator();

  InstantSource clock();

  Parallelizer parallelizer();

  /** The framework (profile) the plugin runs in. */
  Framework framework();
}
