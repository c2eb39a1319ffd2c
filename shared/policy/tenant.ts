export interface Tenant {
  type: string;
  name: string;
}

function firstExtra(extra: Record<string, unknown> | undefined, key: string): string {
  const values = extra?.[key];
  return Array.isArray(values) && typeof values[0] === 'string' ? values[0] : '';
}

/**
 * From the user's extras: parent-type/parent-name, then the legacy
 * `organization` (only while still platform), and `project` always wins.
 */
export function auditTenant(extra: Record<string, unknown> | undefined): Tenant {
  const tenant: Tenant = { type: 'platform', name: '' };
  const parentType = firstExtra(extra, 'iam.miloapis.com/parent-type');
  if (parentType !== '') tenant.type = parentType;
  const parentName = firstExtra(extra, 'iam.miloapis.com/parent-name');
  if (parentName !== '') tenant.name = parentName;
  if (tenant.type === 'platform') {
    const org = firstExtra(extra, 'organization');
    if (org !== '') {
      tenant.type = 'Organization';
      tenant.name = org;
    }
  }
  const project = firstExtra(extra, 'project');
  if (project !== '') {
    tenant.type = 'Project';
    tenant.name = project;
  }
  return tenant;
}

/** From the Event's scope annotations, only when the type is set. */
export function eventTenant(annotations: unknown): Tenant {
  if (typeof annotations === 'object' && annotations !== null) {
    const a = annotations as Record<string, unknown>;
    const type = a['platform.miloapis.com/scope.type'];
    if (typeof type === 'string' && type !== '') {
      const name = a['platform.miloapis.com/scope.name'];
      return { type, name: typeof name === 'string' ? name : '' };
    }
  }
  return { type: 'platform', name: '' };
}
