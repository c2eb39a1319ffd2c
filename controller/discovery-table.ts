import type { DiscoveryTable } from '../shared/api/activity-policy.js';
import { BUILTIN_DISCOVERY } from '../shared/policy/builtin-discovery.js';
import type { Logger } from '../shared/log.js';

interface ResourceList {
  resources?: { name: string; kind: string }[];
}
interface GroupList {
  groups?: { name: string; preferredVersion?: { groupVersion: string }; versions?: { groupVersion: string }[] }[];
}

/** `getJson(path)`: a GET on the API server (see kube-get-json.ts). */
export type GetJson = (path: string) => Promise<unknown>;

/**
 * The group/plural → Kind table from the API server's discovery (core group
 * from /api/v1, the others at their preferred version), merged over the
 * built-in table so a group that fails to answer (an aggregated API down)
 * still resolves the common resources.
 */
export async function discoveryTable(getJson: GetJson, log: Logger): Promise<DiscoveryTable> {
  const table: DiscoveryTable = { ...BUILTIN_DISCOVERY };
  const add = (group: string, list: ResourceList) => {
    for (const resource of list.resources ?? []) {
      if (!resource.name.includes('/')) table[`${group}/${resource.name}`] = resource.kind; // skip subresources
    }
  };
  add('', (await getJson('/api/v1')) as ResourceList);
  const groups = ((await getJson('/apis')) as GroupList).groups ?? [];
  await Promise.all(
    groups.map(async (group) => {
      const groupVersion = group.preferredVersion?.groupVersion ?? group.versions?.[0]?.groupVersion;
      if (!groupVersion) return;
      try {
        add(group.name, (await getJson(`/apis/${groupVersion}`)) as ResourceList);
      } catch (err) {
        log.warn({ err, groupVersion }, 'Skipped API group in discovery');
      }
    }),
  );
  return table;
}
