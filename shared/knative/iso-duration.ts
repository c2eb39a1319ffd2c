// Knative's delivery durations (`backoffDelay`, `timeout`) are ISO-8601
// durations such as PT0.2S or PT1M30S.
const PATTERN = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds in an ISO-8601 duration; years and months are refused, having no fixed length. */
export function parseIsoDuration(text: string): number {
  const m = PATTERN.exec(text.trim());
  if (!m || text.trim() === 'P' || text.trim().endsWith('T')) {
    throw new Error(`"${text}" is not an ISO-8601 duration such as PT0.2S (years and months are not supported)`);
  }
  const [, w, d, h, min, s] = m.map((v) => (v === undefined ? 0 : Number(v)));
  return Math.round(((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000);
}
