package dev.skiff.api.patch;

/**
 * A patch that cannot be applied. {@link #statusCode()} is the HTTP status Kubernetes answers with:
 * 400 for a malformed patch, 422 for a well-formed one that does not fit the object (a failed JSON
 * Patch test, a missing path, a merge key that a list element lacks).
 */
public final class PatchException extends RuntimeException {
  private final int statusCode;

  public PatchException(int statusCode, String message) {
    super(message);
    this.statusCode = statusCode;
  }

  static PatchException badRequest(String message) {
    return new PatchException(400, message);
  }

  static PatchException unprocessable(String message) {
    return new PatchException(422, message);
  }

  public int statusCode() {
    return statusCode;
  }
}
