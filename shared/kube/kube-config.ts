// Where the Kubernetes API is: a URL (the local API server of the one-command
// stack, or a `kubectl proxy`), else the usual places — KUBECONFIG,
// ~/.kube/config, or the in-cluster service account.
import { KubeConfig } from '@kubernetes/client-node';

export function kubeConfigForUrl(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'local', server: url.replace(/\/$/, ''), skipTLSVerify: true }],
    users: [{ name: 'local' }],
    contexts: [{ name: 'local', cluster: 'local', user: 'local' }],
    currentContext: 'local',
  });
  return kc;
}

export function loadKubeConfig(opts: { url?: string } = {}): KubeConfig {
  if (opts.url) return kubeConfigForUrl(opts.url);
  const kc = new KubeConfig();
  // loadFromDefault tries KUBECONFIG, then ~/.kube/config, then the in-cluster service account.
  kc.loadFromDefault();
  return kc;
}
