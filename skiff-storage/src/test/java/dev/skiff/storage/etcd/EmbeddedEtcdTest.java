package dev.skiff.storage.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddedEtcdTest {
  @Test
  void aMissingEtcdFailsNamingThePackageToInstall() {
    assertThatThrownBy(() -> EmbeddedEtcd.findBinary(List.of(Path.of("/nonexistent/etcd"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("apt-get install etcd-server");
  }

  @Test
  void theInstalledEtcdIsFound() {
    assertThat(
            EmbeddedEtcd.findBinary(
                List.of(Path.of("/nonexistent/etcd"), Path.of("/usr/bin/etcd"))))
        .isEqualTo(Path.of("/usr/bin/etcd"));
  }
}
