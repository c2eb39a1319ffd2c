/**
 * The lowercase English plural of a Kind (`NetworkPolicy` → `networkpolicies`):
 * the last resort when discovery does not know the resource.
 */
export function englishPlural(kind: string): string {
  const word = kind.toLowerCase();
  if (word === '') return '';
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}
