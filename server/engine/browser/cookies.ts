// The engine browser's cookie jar (RFC 6265, the parts a same-site sign-in flow needs): Set-Cookie
// name, value, Path, Max-Age / Expires, Secure; cookies are sent back to the same host by path.
export interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
  secure: boolean;
  /** Milliseconds since the epoch, or null for a session cookie. */
  expires: number | null;
}

function defaultPath(url: URL): string {
  const dir = url.pathname.slice(0, url.pathname.lastIndexOf('/'));
  return dir || '/';
}

const pathMatches = (requestPath: string, cookiePath: string) =>
  requestPath === cookiePath || (requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'));

export class CookieJar {
  private cookies: Cookie[] = [];

  /** Stores the Set-Cookie headers of a response to `url`. */
  store(url: string, setCookie: string | string[] | undefined, now = Date.now()): void {
    if (setCookie === undefined) return;
    const u = new URL(url);
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      const cookie: Cookie = { name: pair!.slice(0, eq).trim(), value: pair!.slice(eq + 1).trim(), host: u.hostname, path: defaultPath(u), secure: false, expires: null };
      for (const attr of attrs) {
        const [k, ...v] = attr.split('=');
        const key = k!.trim().toLowerCase();
        const value = v.join('=').trim();
        if (key === 'path' && value.startsWith('/')) cookie.path = value;
        else if (key === 'secure') cookie.secure = true;
        else if (key === 'max-age' && /^-?\d+$/.test(value)) cookie.expires = now + Number(value) * 1000;
        else if (key === 'expires' && cookie.expires === null && !Number.isNaN(Date.parse(value))) cookie.expires = Date.parse(value);
      }
      this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.host === cookie.host && c.path === cookie.path));
      if (cookie.expires === null || cookie.expires > now) this.cookies.push(cookie);
    }
  }

  /** The Cookie header for a request to `url` (longer paths first), or null. */
  header(url: string, now = Date.now()): string | null {
    const u = new URL(url);
    const sent = this.cookies
      .filter((c) => c.host === u.hostname && pathMatches(u.pathname, c.path) && (!c.secure || u.protocol === 'https:') && (c.expires === null || c.expires > now))
      .sort((a, b) => b.path.length - a.path.length);
    return sent.length ? sent.map((c) => `${c.name}=${c.value}`).join('; ') : null;
  }
}
