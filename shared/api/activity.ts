// Activity (activity.miloapis.com/v1alpha1) exactly as the real-time
// processor publishes it; key order matters only for readability.

export type OriginType = 'audit' | 'event';
export type ChangeSource = 'human' | 'system';

export interface ActivityActor {
  type: string;
  name: string;
  uid?: string;
  email?: string;
}

export interface ActivityResource {
  apiGroup?: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export interface ActivityLink {
  marker: string;
  resource: {
    apiGroup?: string;
    apiVersion?: string;
    kind?: string;
    name?: string;
    namespace?: string;
    uid?: string;
  };
}

/** Where a federated Event came from (its exporter's source-* annotations); fields omitted when empty. */
export interface ActivitySource {
  planeType?: string;
  cluster?: string;
  region?: string;
  city?: string;
}

export interface Activity {
  kind: 'Activity';
  apiVersion: 'activity.miloapis.com/v1alpha1';
  metadata: {
    name: string;
    namespace?: string;
    creationTimestamp: string;
    labels: Record<string, string>;
  };
  spec: {
    summary: string;
    changeSource: ChangeSource;
    actor: ActivityActor;
    resource: ActivityResource;
    links?: ActivityLink[];
    tenant: { type: string; name: string };
    origin: { type: OriginType; id: string };
    source?: ActivitySource;
  };
}

export const LABEL_PREFIX = 'activity.miloapis.com/';
export const POLICY_NAME_LABEL = `${LABEL_PREFIX}policy-name`;
