import type { DiscoveryTable } from '../api/activity-policy.js';
import { BUILTIN_DISCOVERY } from './builtin-discovery.js';
import { englishPlural } from './english-plural.js';

/** Resolves resources both ways: group + plural → Kind, group + Kind → plural. */
export interface Discovery {
  kindOf(group: string, plural: string): string | undefined;
  pluralOf(group: string, kind: string): string;
}

/**
 * The given table (the controller's, from API discovery) wins over the
 * built-in one; a Kind neither knows gets the English plural rule.
 */
export function createDiscovery(table: DiscoveryTable = {}): Discovery {
  const kinds = new Map<string, string>();
  const plurals = new Map<string, string>();
  for (const source of [BUILTIN_DISCOVERY, table]) {
    for (const [key, kind] of Object.entries(source)) {
      // Groups hold dots but never a slash; the core group is empty ("/pods").
      const slash = key.lastIndexOf('/');
      const group = slash < 0 ? '' : key.slice(0, slash);
      const plural = key.slice(slash + 1);
      kinds.set(`${group}/${plural}`, kind);
      plurals.set(`${group}/${kind}`, plural);
    }
  }
  return {
    kindOf: (group, plural) => kinds.get(`${group}/${plural}`),
    pluralOf: (group, kind) => plurals.get(`${group}/${kind}`) ?? englishPlural(kind),
  };
}
