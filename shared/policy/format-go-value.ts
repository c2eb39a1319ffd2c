// Go's fmt `%v` for the values a CEL placeholder can produce. JSON numbers
// are float64 in Go, so every JS number is formatted as a float64 would be.

/** strconv.FormatFloat(f, 'g', -1, 64), which is what `%v` does for float64. */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // toExponential() without digits gives the shortest round-tripping mantissa.
  const [mantissa, expText] = f.toExponential().split('e');
  const exp = Number(expText);
  // Shortest formatting decides with precision 6: %e below 1e-4 or from 1e6.
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  // In this range JS prints plain decimals with the same shortest digits.
  return String(f);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function formatGoValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return formatGoFloat(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
      return '<nil>';
    default:
      break;
  }
  if (value === null) return '<nil>';
  if (value instanceof Date) {
    // time.Time's String() in UTC: 2006-01-02 15:04:05.999999999 -0700 MST
    const ms = value.getUTCMilliseconds();
    const frac = ms ? `.${pad(ms, 3).replace(/0+$/, '')}` : '';
    return `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())} ${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}${frac} +0000 UTC`;
  }
  if (value instanceof Uint8Array) return `[${Array.from(value).join(' ')}]`;
  if (Array.isArray(value)) return `[${value.map(formatGoValue).join(' ')}]`;
  if (value instanceof Map) {
    const entries = [...value.entries()].map(([k, v]) => [formatGoValue(k), formatGoValue(v)] as const);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${v}`).join(' ')}]`;
  }
  if (typeof value === 'object') {
    // fmt prints maps with their keys sorted.
    const keys = Object.keys(value).sort();
    return `map[${keys.map((k) => `${k}:${formatGoValue((value as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  return String(value);
}
