/**
 * `${NAME}` and `${NAME:-default}` in any string value of the parsed YAML are replaced from
 * the environment. A reference with no value and no default is reported, never left as text,
 * so a missing secret fails the start instead of being sent upstream literally.
 */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface InterpolationIssue {
  path: (string | number)[];
  message: string;
}

export function interpolateEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  issues: InterpolationIssue[],
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, issues, path);
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, issues, [...path, index]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateEnv(item, env, issues, [...path, key]);
    return out;
  }
  return value;
}

function interpolateString(
  text: string,
  env: Record<string, string | undefined>,
  issues: InterpolationIssue[],
  path: (string | number)[],
): string {
  return text.replace(REFERENCE, (_match, variable: string, fallback: string | undefined) => {
    const found = env[variable];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    issues.push({ path, message: `environment variable ${variable} is not set` });
    return '';
  });
}
