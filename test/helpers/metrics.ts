import type { AddressInfo } from 'node:net';

/** GETs the metrics endpoint at `address` and answers its status, content type and text. */
export async function scrape(address: AddressInfo | undefined, path = '/metrics'): Promise<{ status: number; contentType: string | null; text: string }> {
  if (address === undefined) throw new Error('the metrics listener is not bound');
  const response = await fetch(`http://127.0.0.1:${address.port}${path}`);
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/**
 * The value of one sample in Prometheus text format, e.g. `sample(text, 'junction_upstream_requests_total', { upstream: 'users' })`;
 * undefined when there is no such sample. Labels must be given in full, in the order they are printed.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const printed = Object.entries(labels).map(([key, value]) => `${key}="${value}"`).join(',');
  const prefix = printed === '' ? `${name} ` : `${name}{${printed}} `;
  const line = text.split('\n').find((each) => each.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}
