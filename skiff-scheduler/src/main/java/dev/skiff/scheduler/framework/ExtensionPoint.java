package dev.skiff.scheduler.framework;

/** Extension points, with the names KubeSchedulerConfiguration uses for them. */
public enum ExtensionPoint {
  PRE_ENQUEUE("preEnqueue", PreEnqueuePlugin.class),
  QUEUE_SORT("queueSort", QueueSortPlugin.class),
  PRE_FILTER("preFilter", PreFilterPlugin.class),
  FILTER("filter", FilterPlugin.class),
  POST_FILTER("postFilter", PostFilterPlugin.class),
  PRE_SCORE("preScore", PreScorePlugin.class),
  SCORE("score", ScorePlugin.class),
  RESERVE("reserve", ReservePlugin.class),
  PERMIT("permit", PermitPlugin.class),
  PRE_BIND("preBind", PreBindPlugin.class),
  BIND("bind", BindPlugin.class),
  POST_BIND("postBind", PostBindPlugin.class);

  private final String configName;
  private final Class<? extends Plugin> type;

  ExtensionPoint(String configName, Class<? extends Plugin> type) {
    this.configName = configName;
    this.type = type;
  }

  public String configName() {
    return configName;
  }

  public Class<? extends Plugin> type() {
    return type;
  }
}
