/** Scopes from a claim set: `scope` (space-separated, RFC 8693) then `scp` (string or array), or the named claim. */
export function scopesOf(claims: Record<string, unknown>, claimName: string | undefined): string[] {
  const names = claimName === undefined ? ['scope', 'scp'] : [claimName];
  for (const name of names) {
    const value = claims[name];
    if (typeof value === 'string') return value.split(/\s+/).filter((scope) => scope !== '');
    if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string');
  }
  return [];
}
