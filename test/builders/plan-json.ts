/**
 * A plan's JSON with every `diagnostics` list in a fixed order: a full read's notes arrive in the
 * order its reads end, so two reads of the same orgs may list them differently.
 */
export function withSortedDiagnostics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withSortedDiagnostics);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, x] of Object.entries(value)) {
      out[key] = key === 'diagnostics' && Array.isArray(x) ? x.map((d) => JSON.stringify(d)).sort() : withSortedDiagnostics(x);
    }
    return out;
  }
  return value;
}
