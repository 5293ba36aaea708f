/** Small HTTP helpers for simulator tests: they talk to it as a client would, over loopback. */
export interface Response {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(
  base: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  scheme = 'SSWS',
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `${scheme} ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path.startsWith('http') ? path : base + path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export function nextLink(headers: Headers): string | undefined {
  const link = headers.get('link') ?? '';
  return /<([^>]+)>;\s*rel="next"/.exec(link)?.[1];
}

export const q = encodeURIComponent;
