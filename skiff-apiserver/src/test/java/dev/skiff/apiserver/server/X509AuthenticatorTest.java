package dev.skiff.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.http.UserInfo;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class X509AuthenticatorTest {
  record Case(String name, String subject, String user, List<String> groups) {}

  static List<Case> cases() {
    return List.of(
        new Case(
            "admin",
            "CN=admin,O=system:masters",
            "admin",
            List.of("system:masters", "system:authenticated")),
        new Case(
            "groups in certificate order",
            "CN=system:node:n1,O=b,O=a",
            "system:node:n1",
            List.of("a", "b", "system:authenticated")),
        new Case("no groups", "CN=alice", "alice", List.of("system:authenticated")),
        new Case(
            "authenticated group not repeated",
            "CN=bob,O=system:authenticated",
            "bob",
            List.of("system:authenticated")),
        new Case("no common name", "O=system:masters", null, List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void userFromSubject(Case c) {
    Optional<UserInfo> user = X509Authenticator.userOf(new X500Principal(c.subject()));

    if (c.user() == null) {
      assertThat(user).isEmpty();
    } else {
      assertThat(user).isPresent();
      assertThat(user.get().name()).isEqualTo(c.user());
      assertThat(user.get().groups()).containsExactlyElementsOf(c.groups());
    }
  }

  @org.junit.jupiter.api.Test
  void plainTextConnectionsHaveNoCertificateUser() {
    assertThat(new X509Authenticator().authenticate(null, null)).isEmpty();
  }
}
