package dev.skiff.proxy.userspace;

import java.net.InetSocketAddress;

/** The socket of one service port in the userspace mode. */
interface ServiceListener extends AutoCloseable {
  InetSocketAddress address();

  @Override
  void close();
}
