import type { ActivityPolicy, ActivityPolicyRule, DiscoveryTable } from '../api/activity-policy.js';
import type { ActivityLink } from '../api/activity.js';
import type { PolicySnapshot } from '../contracts/window-requested.js';
import { activityNameSuffix } from './activity-name.js';
import { auditVariables } from './audit-variables.js';
import { buildAuditActivity, buildEventActivity, type Rendered } from './build-activity.js';
import { celErrorMessage, compileCel, createCelEnvironment } from './cel-environment.js';
import { createDiscovery, type Discovery } from './discovery.js';
import type { EvaluationError, EvaluationOutcome, InputKind } from './evaluation-outcome.js';
import { eventOriginId, eventSource, eventSubject, eventVariables } from './event-variables.js';
import { InvalidInputError } from './invalid-input-error.js';
import { matchGuard } from './match-guard.js';
import { createLinkCapture, type CapturedLink, type LinkCapture } from './link-capture.js';
import { auditLinkResource, eventLinkResource, LinkKindError } from './link-resource.js';
import { normalizeAuditEvent } from './normalize-audit-event.js';
import { PolicyCompileError } from './policy-compile-error.js';
import { buildPolicyIndex, indexKey, type CompiledPolicy, type CompiledRule, type PolicyIndex } from './policy-index.js';
import { parseSummaryTemplate, renderSummary, SummaryRenderError, type CompiledPart } from './summary-template.js';

export type PolicySource = ActivityPolicy | PolicySnapshot;

export interface PolicyEngine {
  /** One input (a stored audit event or Kubernetes Event) → what it became. */
  evaluate(kind: InputKind, input: unknown): EvaluationOutcome;
  /** The compiled policies, in the order they are tried (by name). */
  readonly policies: ReadonlyArray<PolicySource>;
}

type Json = Record<string, unknown>;

function isMap(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

type Environment = ReturnType<typeof createCelEnvironment>;

function compileRule(env: Environment, kind: InputKind, policy: string, rule: ActivityPolicyRule): CompiledRule {
  const attempt = <T>(expression: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw new PolicyCompileError(policy, rule.name, expression, celErrorMessage(err), { cause: err });
    }
  };
  const matchProgram = attempt(rule.match, () => compileCel(env, rule.match, ['bool']));
  const summary: CompiledPart[] = parseSummaryTemplate(rule.summary ?? '').map((part) =>
    typeof part === 'string' ? part : { expression: part.expression, program: attempt(part.expression, () => compileCel(env, part.expression, ['string'])) },
  );
  return { name: rule.name, match: rule.match, matchProgram, guard: matchGuard(matchProgram.ast, kind), summary };
}

function inputError(originId: string, message: string): EvaluationOutcome {
  return { originId, errors: [{ policy: '', rule: '', expression: '', message }], outcome: 'error', policy: '', rule: '', error: message };
}

// Every activity's sink key holds its origin id: inputs without one would
// all land on one row, so each is an error instead (DESIGN.md §5).
const NO_ORIGIN_ID = {
  audit: 'input has no origin id: audit event has no auditID',
  event: 'input has no origin id: event has no metadata.uid',
} as const;

function errorOutcome(originId: string, errors: EvaluationError[]): EvaluationOutcome {
  const first = errors[0];
  return { originId, errors, outcome: 'error', policy: first.policy, rule: first.rule, error: `${first.expression}: ${first.message}` };
}

/**
 * Renders the matched rule's summary, capturing the links its evaluated
 * `link()` calls record. Throws SummaryRenderError.
 */
function render(capture: LinkCapture, rule: CompiledRule, variables: object): { summary: string; captured: CapturedLink[] } {
  const captured: CapturedLink[] = [];
  capture.links = captured;
  try {
    return { summary: renderSummary(rule.summary, variables, celErrorMessage), captured };
  } finally {
    capture.links = null;
  }
}

class Engine implements PolicyEngine {
  constructor(
    readonly policies: ReadonlyArray<PolicySource>,
    private readonly index: PolicyIndex,
    private readonly discovery: Discovery,
    private readonly auditCapture: LinkCapture,
    private readonly eventCapture: LinkCapture,
  ) {}

  evaluate(kind: InputKind, input: unknown): EvaluationOutcome {
    return kind === 'audit' ? this.evaluateAudit(input) : this.evaluateEvent(input);
  }

  private evaluateAudit(input: unknown): EvaluationOutcome {
    if (!isMap(input)) return inputError('', 'audit event is not a JSON object');
    const originId = s(input.auditID);
    if (originId === '') return inputError('', NO_ORIGIN_ID.audit);
    if (input.objectRef === undefined || input.objectRef === null) return { originId, errors: [], outcome: 'skipped', reason: 'audit event has no objectRef' };
    let audit: Json;
    try {
      audit = normalizeAuditEvent(input);
    } catch (err) {
      if (err instanceof InvalidInputError) return inputError(originId, err.message);
      throw err;
    }
    const ref = audit.objectRef as Json;
    const group = s(ref.apiGroup);
    const resource = s(ref.resource);
    const policies = this.index.audit.get(indexKey(group, resource));
    if (!policies) return { originId, errors: [], outcome: 'skipped', reason: `no ActivityPolicy with audit rules for ${group || 'core'}/${resource}` };
    const variables = auditVariables(audit);
    const errors: EvaluationError[] = [];
    policies: for (const policy of policies) {
      for (const rule of policy.auditRules) {
        if (rule.guard !== undefined && !rule.guard(audit)) continue;
        let matched: unknown;
        try {
          matched = rule.matchProgram(variables);
        } catch (err) {
          // An audit rule whose match fails stops its policy (one error); the next policy is tried.
          errors.push({ policy: policy.name, rule: rule.name, expression: rule.match, message: celErrorMessage(err) });
          continue policies;
        }
        if (typeof matched !== 'boolean') {
          errors.push({ policy: policy.name, rule: rule.name, expression: rule.match, message: `match returned ${typeof matched}, want bool` });
          continue policies;
        }
        if (!matched) continue;
        let rendered: Rendered | undefined;
        try {
          rendered = this.renderOrRecord(this.auditCapture, policy, rule, variables, errors, (ref) => auditLinkResource(ref, this.discovery));
        } catch (err) {
          if (!(err instanceof LinkKindError)) throw err;
          // The live processor dead-letters the input: no further policy (ACTIVITY-FORMAT.md §6).
          errors.push({ policy: policy.name, rule: rule.name, expression: '', message: err.message });
          return errorOutcome(originId, errors);
        }
        if (!rendered) continue policies;
        try {
          return { originId, errors, outcome: 'activity', policy: policy.name, rule: rule.name, activity: buildAuditActivity(audit, policy, rendered) };
        } catch (err) {
          if (err instanceof InvalidInputError) return inputError(originId, err.message);
          throw err;
        }
      }
    }
    return errors.length > 0 ? errorOutcome(originId, errors) : { originId, errors, outcome: 'no-match' };
  }

  private evaluateEvent(input: unknown): EvaluationOutcome {
    if (!isMap(input)) return inputError('', 'event is not a JSON object');
    const uid = isMap(input.metadata) ? s(input.metadata.uid) : '';
    if (uid === '') return inputError('', NO_ORIGIN_ID.event);
    const source = eventSource(input);
    const originId = eventOriginId(uid, source);
    const subject = eventSubject(input);
    if (!subject) return { originId, errors: [], outcome: 'skipped', reason: 'event has neither regarding nor involvedObject' };
    const kind = s(subject.kind);
    if (kind === '') return { originId, errors: [], outcome: 'skipped', reason: 'event subject has no kind' };
    let group = s(subject.apiGroup);
    if (group === '') {
      const apiVersion = s(subject.apiVersion);
      const slash = apiVersion.lastIndexOf('/');
      group = slash < 0 ? '' : apiVersion.slice(0, slash);
    }
    const policies = this.index.event.get(indexKey(group, kind));
    if (!policies) return { originId, errors: [], outcome: 'skipped', reason: `no ActivityPolicy with event rules for ${group || 'core'}/${kind}` };
    const variables = eventVariables(input, source);
    const errors: EvaluationError[] = [];
    for (const policy of policies) {
      for (const rule of policy.eventRules) {
        if (rule.guard !== undefined && !rule.guard(input)) continue;
        let matched: unknown;
        try {
          matched = rule.matchProgram(variables);
        } catch (err) {
          // The live processor passes over an event rule whose match fails
          // (next rule); it is counted here so maxErrors can see it.
          errors.push({ policy: policy.name, rule: rule.name, expression: rule.match, message: celErrorMessage(err) });
          continue;
        }
        if (matched !== true) continue;
        const rendered = this.renderOrRecord(this.eventCapture, policy, rule, variables, errors, eventLinkResource);
        // A summary error dead-letters the input live: no further policy (ACTIVITY-FORMAT.md §6).
        if (!rendered) return errorOutcome(originId, errors);
        try {
          return { originId, errors, outcome: 'activity', policy: policy.name, rule: rule.name, activity: buildEventActivity(input, subject, policy, rendered, originId, source) };
        } catch (err) {
          if (err instanceof InvalidInputError) return inputError(originId, err.message);
          throw err;
        }
      }
    }
    // Match errors alone leave the live outcome (no activity, nothing dead-lettered).
    return { originId, errors, outcome: 'no-match' };
  }

  /** The summary and links of a matched rule, or undefined after recording its error. */
  private renderOrRecord(
    capture: LinkCapture,
    policy: CompiledPolicy,
    rule: CompiledRule,
    variables: object,
    errors: EvaluationError[],
    toResource: (ref: Json) => ActivityLink['resource'],
  ): Rendered | undefined {
    try {
      const { summary, captured } = render(capture, rule, variables);
      return { summary, links: captured.map((l) => ({ marker: l.marker, resource: toResource(l.ref) })) };
    } catch (err) {
      if (!(err instanceof SummaryRenderError)) throw err;
      errors.push({ policy: policy.name, rule: rule.name, expression: err.expression, message: err.message });
      return undefined;
    }
  }
}

/**
 * Compiles every rule of every policy once. Throws PolicyCompileError on the
 * first expression that does not parse or type-check. `discovery` is the
 * controller's `group/plural → Kind` table; built-in defaults fill the gaps.
 */
export function compilePolicies(policies: ReadonlyArray<PolicySource>, discovery?: DiscoveryTable): PolicyEngine {
  const auditCapture = createLinkCapture();
  const eventCapture = createLinkCapture();
  const auditEnv = createCelEnvironment('audit', auditCapture.handler);
  const eventEnv = createCelEnvironment('event', eventCapture.handler);
  const table = createDiscovery(discovery);
  const sorted = [...policies].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  const compiled: CompiledPolicy[] = sorted.map((p) => {
    const name = p.metadata.name;
    const { apiGroup = '', kind } = p.spec.resource;
    return {
      name,
      apiGroup,
      kind,
      nameSuffix: activityNameSuffix(apiGroup, kind),
      auditRules: (p.spec.auditRules ?? []).map((r) => compileRule(auditEnv, 'audit', name, r)),
      eventRules: (p.spec.eventRules ?? []).map((r) => compileRule(eventEnv, 'event', name, r)),
    };
  });
  return new Engine(sorted, buildPolicyIndex(compiled, table), table, auditCapture, eventCapture);
}
