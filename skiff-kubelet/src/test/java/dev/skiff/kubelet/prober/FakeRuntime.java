package dev.skiff.kubelet.prober;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.ExecSyncRequest;
import dev.skiff.kubelet.cri.v1.ExecSyncResponse;
import dev.skiff.kubelet.cri.v1.RuntimeServiceGrpc;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A CRI runtime that answers ExecSync from a script, over an in-process channel. The script maps a
 * request to a response or throws a {@link StatusRuntimeException} to fail the call.
 */
final class FakeRuntime extends RuntimeServiceGrpc.RuntimeServiceImplBase implements AutoCloseable {
  final List<ExecSyncRequest> execs = new CopyOnWriteArrayList<>();
  volatile Function<ExecSyncRequest, ExecSyncResponse> script = r -> exit(0, "", "");
  private final Server server;
  private final CriClient client;

  FakeRuntime() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(this).build().start();
    client =
        CriClient.over(
            InProcessChannelBuilder.forName(name).directExecutor().build(), "inprocess:" + name);
  }

  CriClient client() {
    return client;
  }

  static ExecSyncResponse exit(int code, String stdout, String stderr) {
    return ExecSyncResponse.newBuilder()
        .setExitCode(code)
        .setStdout(com.google.protobuf.ByteString.copyFromUtf8(stdout))
        .setStderr(com.google.protobuf.ByteString.copyFromUtf8(stderr))
        .build();
  }

  /** Exec calls whose command starts with {@code first}. */
  long execCount(String first) {
    return execs.stream().filter(r -> r.getCmd(0).equals(first)).count();
  }

  @Override
  public void execSync(ExecSyncRequest request, StreamObserver<ExecSyncResponse> out) {
    execs.add(request);
    try {
      ExecSyncResponse r = script.apply(request);
      out.onNext(r);
      out.onCompleted();
    } catch (StatusRuntimeException e) {
      out.onError(e);
    }
  }

  @Override
  public void close() {
    client.close();
    server.shutdownNow();
  }
}
