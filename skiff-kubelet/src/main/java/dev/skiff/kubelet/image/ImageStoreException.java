package dev.skiff.kubelet.image;

/** An image could not be imported, listed or removed in containerd; the message says why. */
public final class ImageStoreException extends RuntimeException {
  public ImageStoreException(String message) {
    super(message);
  }

  public ImageStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
