/**
 * The cluster's certificates: {@link dev.skiff.apiserver.pki.ClusterPki} keeps the CA, the serving
 * certificate and the admin client certificate under {@code <data-dir>/tls} and issues further
 * client certificates; {@link dev.skiff.apiserver.pki.KubeconfigWriter} writes kubeconfig files
 * that use them.
 */
package dev.skiff.apiserver.pki;
