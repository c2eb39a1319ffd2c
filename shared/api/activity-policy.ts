// ActivityPolicy (activity.miloapis.com/v1alpha1): the CEL rules that turn an
// audit log or a Kubernetes Event into an Activity. See ../ACTIVITY-FORMAT.md
// in the handoff folder for how each field is used.

import type { Condition } from './reindex-job.js';

export interface ActivityPolicyRule {
  name: string;
  /** CEL expression that must evaluate to a bool. */
  match: string;
  /** Text with `{{ expr }}` placeholders. */
  summary: string;
}

export interface ActivityPolicySpec {
  resource: { apiGroup: string; kind: string };
  auditRules?: ActivityPolicyRule[];
  eventRules?: ActivityPolicyRule[];
}

export interface ActivityPolicy {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; resourceVersion?: string; generation?: number; labels?: Record<string, string> };
  spec: ActivityPolicySpec;
  /** Set by the Activity system's controller: `Ready=True` once every rule compiled and the kind resolved. */
  status?: { conditions?: Condition[] };
}

/** `"<group>/<plural>": "Kind"`; core group is the empty string (`"/pods"`). */
export type DiscoveryTable = Record<string, string>;
