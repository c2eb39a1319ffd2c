// The public CloudEvents conformance cases (test/fixtures/cloudevents-conformance,
// see its README) as HTTP requests: the JSON-format event cases sent in
// structured mode as they are and in binary mode where the binding can
// carry them, and the YAML cases as the conformance tool's `invoke` sends them.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const DIR = new URL('../fixtures/cloudevents-conformance/', import.meta.url);

export interface ConformanceCase {
  /** File and case, e.g. `format/json/invalid-events.json#invalidNoId (binary)`. */
  name: string;
  mode: 'binary' | 'structured';
  valid: boolean;
  /** Invalid cases: the attribute the 400 must name. */
  attribute?: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Which attribute makes each invalid JSON-format case invalid. Where a case
 * breaks two rules (a punctuated name with a fractional value) the name is
 * the first thing wrong.
 */
const INVALID_ATTRIBUTE: Record<string, string> = {
  invalidNoSpecVersion: 'specversion',
  invalidNoId: 'id',
  invalidNoType: 'type',
  invalidNoSource: 'source',
  invalidTimeGarbage: 'time',
  invalidTimeToMinute: 'time',
  invalidTimeOffsetX: 'time',
  invalidTimeOffsetOutOfRange: 'time',
  invalidTimeOffsetNonInteger: 'time',
  invalidTimeOffsetHourOnly: 'time',
  invalidEmptyId: 'id',
  invalidEmptyType: 'type',
  invalidEmptySource: 'source',
  invalidEmptySpecVersion: 'specversion',
  invalidUnknownSpecVersion: 'specversion',
  invalidNonRfc2046DataContentType: 'datacontenttype',
  invalidEmptyDataContentType: 'datacontenttype',
  invalidEmptyDataSchema: 'dataschema',
  invalidEmptySubject: 'subject',
  invalidNumericId: 'id',
  invalidObjectId: 'id',
  invalidCapitalizedExtension: 'MyExtension',
  invalidPunctuatedExtension: 'my.extension',
  invalidNonIntegerExtensionValue: 'my.extension',
  invalidBothDataAndDataBase64: 'data_base64',
};

type JsonCase = { id: string; event: Record<string, unknown> };

function read(path: string): string {
  return readFileSync(new URL(path, DIR), 'utf8');
}

// HTTP binding §3.1.3.2.
function percentEncode(value: string): string {
  return value.replace(/[^\x21\x23-\x24\x26-\x7e]/gu, (ch) =>
    [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

function structured(event: Record<string, unknown>): Pick<ConformanceCase, 'headers' | 'body'> {
  return { headers: { 'content-type': 'application/cloudevents+json; charset=UTF-8' }, body: JSON.stringify(event) };
}

/** Binary mode, or undefined when the binding cannot carry what makes the case invalid. */
function binary(event: Record<string, unknown>, valid: boolean): Pick<ConformanceCase, 'headers' | 'body'> | undefined {
  const headers: Record<string, string> = {};
  let body = '';
  for (const [name, value] of Object.entries(event)) {
    if (value === null) continue;
    // Header values are strings and header names case-insensitive: a typed
    // value, an upper-case name or data_base64 has no binary form.
    if (!valid && (typeof value !== 'string' || name !== name.toLowerCase() || name === 'data_base64')) return undefined;
    if (name === 'data') body = typeof value === 'string' ? value : JSON.stringify(value);
    else if (name === 'datacontenttype') headers['content-type'] = String(value);
    else headers[`ce-${name}`] = percentEncode(String(value));
  }
  return { headers, body };
}

function jsonCases(file: string, valid: boolean): ConformanceCase[] {
  const { tests } = JSON.parse(read(file)) as { tests: JsonCase[] };
  return tests.flatMap((t) => {
    const attribute = valid ? undefined : INVALID_ATTRIBUTE[t.id];
    if (!valid && attribute === undefined) throw new Error(`no expected attribute for conformance case ${t.id}`);
    const out: ConformanceCase[] = [{ name: `${file}#${t.id} (structured)`, mode: 'structured', valid, attribute, ...structured(t.event) }];
    const asBinary = binary(t.event, valid);
    if (asBinary) out.push({ name: `${file}#${t.id} (binary)`, mode: 'binary', valid, attribute, ...asBinary });
    return out;
  });
}

type YamlEvent = {
  Mode?: string;
  ContextAttributes: Record<string, string> & { Extensions?: Record<string, string> };
  TransportExtensions?: Record<string, string>;
  Data?: string;
};

/** As the conformance tool's `invoke` sends a YAML event: values trimmed, empty ones left out. */
function yamlCases(file: string, valid: boolean, attribute?: string): ConformanceCase[] {
  // failsafe: every scalar stays a string, so `specversion: 1.0` is "1.0", not 1.
  const docs = parseAllDocuments(read(file), { schema: 'failsafe' }).map((d) => d.toJSON() as YamlEvent);
  return docs.map((doc, i) => {
    const mode = doc.Mode === 'structured' ? 'structured' : 'binary';
    const { Extensions = {}, ...core } = doc.ContextAttributes;
    const attrs = Object.fromEntries(
      Object.entries({ ...core, ...Extensions })
        .map(([k, v]) => [k, String(v).trim()] as const)
        .filter(([, v]) => v !== ''),
    );
    const transport = Object.fromEntries(Object.entries(doc.TransportExtensions ?? {}).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
    let request: Pick<ConformanceCase, 'headers' | 'body'>;
    if (mode === 'structured') {
      const event: Record<string, unknown> = { ...attrs };
      if (doc.Data) event.data = JSON.parse(doc.Data);
      request = structured(event);
    } else {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(attrs)) {
        if (k === 'datacontenttype') headers['content-type'] = v;
        else headers[`ce-${k}`] = percentEncode(v);
      }
      request = { headers, body: doc.Data ?? '' };
    }
    return { name: `${file}#${i + 1} (${mode})`, mode, valid, attribute, headers: { ...transport, ...request.headers }, body: request.body };
  });
}

/** Every case: valid ones a receiver must accept, invalid ones it must refuse naming `attribute`. */
export function conformanceCases(): ConformanceCase[] {
  return [
    ...jsonCases('format/json/valid-events.json', true),
    ...yamlCases('yaml/v1.0/v1_minimum.yaml', true),
    ...yamlCases('yaml/v1.yaml', true),
    ...jsonCases('format/json/invalid-events.json', false),
    // Valid 0.3 events; this project speaks CloudEvents 1.0 only.
    ...yamlCases('yaml/v0.3/v03_minimum.yaml', false, 'specversion'),
  ];
}

/** A fetch() init for one case. */
export function conformanceRequest(c: ConformanceCase): RequestInit {
  return { method: 'POST', headers: c.headers, body: c.body };
}
