/** A `link(text, ref)` call whose ref was a map, in evaluation order. */
export interface CapturedLink {
  marker: string;
  ref: Record<string, unknown>;
}

/**
 * The state behind the CEL `link()` function. CEL functions are registered
 * once per environment and get only their arguments, so the engine points
 * `links` at the list of the summary being rendered and back to null after:
 * evaluation is synchronous, and match expressions record nothing.
 */
export interface LinkCapture {
  links: CapturedLink[] | null;
  handler: (text: string, ref: unknown) => string;
}

export function createLinkCapture(): LinkCapture {
  const capture: LinkCapture = {
    links: null,
    handler(text, ref) {
      if (capture.links !== null && typeof ref === 'object' && ref !== null && !Array.isArray(ref) && !(ref instanceof Uint8Array)) {
        capture.links.push({ marker: text, ref: ref as Record<string, unknown> });
      }
      return text;
    },
  };
  return capture;
}
