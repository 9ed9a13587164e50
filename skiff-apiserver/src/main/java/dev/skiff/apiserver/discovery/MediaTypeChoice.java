package dev.skiff.apiserver.discovery;

/**
 * The outcome of Accept negotiation: the serialization to write and, when the client asked for an
 * object conversion ({@code ;g=…;v=…;as=…}), the target group, version and kind.
 *
 * @param mediaType the serializer's media type, e.g. "application/json"
 * @param group the conversion target group, or null when no conversion was asked for
 * @param version the conversion target version, or null
 * @param as the conversion target kind, or null
 */
public record MediaTypeChoice(String mediaType, String group, String version, String as) {

  public static MediaTypeChoice plain(String mediaType) {
    return new MediaTypeChoice(mediaType, null, null, null);
  }

  /** True when the client asked for a conversion (e.g. Table, APIGroupDiscoveryList). */
  public boolean converted() {
    return as != null;
  }

  public boolean is(String group, String version, String as) {
    return group.equals(this.group) && version.equals(this.version) && as.equals(this.as);
  }

  /** The Content-Type of the answer: the media type plus the conversion parameters, if any. */
  public String contentType() {
    if (!converted()) {
      return mediaType;
    }
    return mediaType + ";g=" + group + ";v=" + version + ";as=" + as;
  }
}
