package dev.skiff.controllers.hpa;

import java.time.Duration;
import java.time.Instant;

/**
 * One pod's usage of a resource as the metrics API reported it: the sum over its containers in
 * milli-units (millicores for cpu, millibytes for memory), and the window it was measured over.
 */
public record PodMetric(long milliValue, Instant timestamp, Duration window) {}
