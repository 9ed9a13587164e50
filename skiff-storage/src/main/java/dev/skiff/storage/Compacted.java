package dev.skiff.storage;

/** The requested revision is older than the oldest one retained (the API answers 410 Gone). */
public final class Compacted extends StoreException {
  private final long requestedRevision;
  private final long compactedRevision;

  public Compacted(long requestedRevision, long compactedRevision) {
    super(
        "revision " + requestedRevision + " has been compacted (oldest: " + compactedRevision + ")",
        null);
    this.requestedRevision = requestedRevision;
    this.compactedRevision = compactedRevision;
  }

  public long requestedRevision() {
    return requestedRevision;
  }

  public long compactedRevision() {
    return compactedRevision;
  }
}
