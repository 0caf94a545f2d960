/**
 * One HTTP request to a local server, its answer as text: status, headers
 * (with `location` for a redirect) and body; `until` ends the read early
 * once the text so far satisfies it (a server-sent event stream stays open).
 */
import { request } from 'node:http';

export interface HttpText {
  status: number;
  headers: Record<string, unknown>;
  location?: string;
  text: string;
}

export function httpText(base: string, path: string, o: { method?: string; headers?: Record<string, string>; body?: string; until?: (text: string) => boolean } = {}): Promise<HttpText> {
  return new Promise((resolve, reject) => {
    const r = request(new URL(path, base), { method: o.method ?? 'GET', headers: o.headers, agent: false }, (res) => {
      let text = '';
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, ...(res.headers.location ? { location: res.headers.location } : {}), text });
      res.on('data', (c: Buffer) => {
        text += c.toString();
        if (o.until?.(text)) {
          res.destroy();
          done();
        }
      });
      res.on('end', done);
    });
    r.on('error', reject);
    r.end(o.body);
  });
}
