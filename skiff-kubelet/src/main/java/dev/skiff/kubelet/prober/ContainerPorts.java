package dev.skiff.kubelet.prober;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;

/** Resolves a probe's or hook's port (a number or a container port's name) as Kubernetes does. */
final class ContainerPorts {
  private ContainerPorts() {}

  /** A port that cannot be resolved; the message is Kubernetes' (Go's) text. */
  static final class InvalidPortException extends Exception {
    InvalidPortException(String message) {
      super(message);
    }
  }

  static int resolve(IntOrString port, Container container) throws InvalidPortException {
    if (port == null) {
      throw new InvalidPortException("invalid port number: 0");
    }
    int number;
    if (port.getIntVal() != null) {
      number = port.getIntVal();
    } else if (port.getStrVal() != null) {
      String name = port.getStrVal();
      Integer named = byName(container, name);
      if (named != null) {
        number = named;
      } else {
        // as Kubernetes: last try, maybe a number stored as a string
        if (!name.matches("[+-]?[0-9]+")) {
          throw new InvalidPortException("strconv.Atoi: parsing \"" + name + "\": invalid syntax");
        }
        try {
          number = Integer.parseInt(name);
        } catch (NumberFormatException e) {
          throw new InvalidPortException(
              "strconv.Atoi: parsing \"" + name + "\": value out of range");
        }
      }
    } else {
      throw new InvalidPortException("invalid port number: 0");
    }
    if (number > 0 && number < 65536) {
      return number;
    }
    throw new InvalidPortException("invalid port number: " + number);
  }

  private static Integer byName(Container container, String name) {
    if (container.getPorts() == null) {
      return null;
    }
    for (ContainerPort p : container.getPorts()) {
      if (name.equals(p.getName()) && p.getContainerPort() != null) {
        return p.getContainerPort();
      }
    }
    return null;
  }
}
