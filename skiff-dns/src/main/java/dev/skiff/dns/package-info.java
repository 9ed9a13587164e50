/**
 * Cluster DNS: the records of Kubernetes' DNS-based service discovery specification, built from
 * Services and EndpointSlices watched through the API ({@link dev.skiff.dns.RecordIndex}), served
 * over UDP and TCP by {@link dev.skiff.dns.DnsServer}, with names outside the cluster relayed to
 * upstream servers.
 */
package dev.skiff.dns;
