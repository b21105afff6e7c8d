// The engine's browser for the authorization code flow: it opens a URL, follows redirects with a
// cookie jar, stops at the app's redirect_uri (the authorization response is the app's, not the
// browser's), reads pages and submits their forms the way a browser would (Origin, form encoding).
// Every request goes through the caller's fetch, so each one is recorded in the trace.
import type { BrowserForm } from '../../../lib/trace/events.ts';
import type { Exchange } from '../http-client.ts';
import { header } from '../http-client.ts';
import { EngineError } from '../errors.ts';
import { CookieJar } from './cookies.ts';
import { parsePage, type ParsedPage } from './html.ts';

export interface BrowserRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Form fields that must not be recorded (the page's password fields). */
  secret?: string[];
}

export type Fetch = (req: BrowserRequest) => Promise<Exchange>;

/** Where a navigation ended. */
export type Landing =
  | { kind: 'page'; url: string; exchange: Exchange; page: ParsedPage }
  | { kind: 'redirect-uri'; url: string; exchange: Exchange }
  | { kind: 'failed'; url: string; exchange: Exchange; reason: string };

const MAX_REDIRECTS = 10;

/** A redirect the browser followed: the request's method, whether it carried the customer's credentials, the status. */
export interface Redirect {
  method: 'GET' | 'POST';
  credentials: boolean;
  status: number;
  url: string;
}

export class Browser {
  readonly jar = new CookieJar();

  /**
   * `redirectUri`: navigation stops at a redirect to it (same origin and path). `redirects`: where every
   * redirect followed is appended, in order (FAPI 2.0 SP 5.3.2.2-10 judges the ones after credentials).
   */
  constructor(private readonly fetch: Fetch, private readonly redirectUri: string, private readonly redirects: Redirect[] = []) {}

  private isRedirectUri(url: string): boolean {
    const a = URL.parse(url);
    const b = URL.parse(this.redirectUri);
    return !!a && !!b && a.origin === b.origin && a.pathname === b.pathname;
  }

  private async request(req: BrowserRequest): Promise<Exchange> {
    const cookie = this.jar.header(req.url);
    const ex = await this.fetch({ ...req, headers: { accept: 'text/html', 'user-agent': 'fapi-sandbox-engine', ...(cookie ? { cookie } : {}), ...req.headers } });
    if (ex.response) this.jar.store(req.url, ex.response.headers['set-cookie']);
    return ex;
  }

  /** Sends `first` and follows redirects (as GETs) until a page, the redirect URI, or a failure. */
  private async follow(first: BrowserRequest): Promise<Landing> {
    let req = first;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const ex = await this.request(req);
      const res = ex.response;
      if (!res) return { kind: 'failed', url: req.url, exchange: ex, reason: ex.error ? `${ex.error.code}: ${ex.error.message}` : 'no response' };
      const location = header(ex, 'location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, req.url).toString();
        this.redirects.push({ method: req.method, credentials: !!req.secret?.length, status: res.status, url: req.url });
        if (this.isRedirectUri(next)) return { kind: 'redirect-uri', url: next, exchange: ex };
        req = { method: 'GET', url: next, headers: {} };
        continue;
      }
      const type = header(ex, 'content-type') ?? '';
      if (!type.includes('text/html')) return { kind: 'failed', url: req.url, exchange: ex, reason: `HTTP ${res.status} ${type || 'without a content type'}, not a page` };
      return { kind: 'page', url: req.url, exchange: ex, page: parsePage(res.body) };
    }
    throw new EngineError('browser', `more than ${MAX_REDIRECTS} redirects from ${first.url}`);
  }

  open(url: string): Promise<Landing> {
    return this.follow({ method: 'GET', url, headers: {} });
  }

  /** Submits `form` of the page at `pageUrl`: its hidden fields, then `values` (which win), then the button. */
  submit(pageUrl: string, form: BrowserForm, values: [string, string][], button?: { name: string; value: string }): Promise<Landing> {
    const body = new URLSearchParams();
    const given = new Set(values.map(([k]) => k));
    for (const f of form.fields) if (f.type === 'hidden' && !given.has(f.name)) body.append(f.name, f.value);
    for (const [k, v] of values) body.append(k, v);
    if (button?.name) body.append(button.name, button.value);
    const action = new URL(form.action || pageUrl, pageUrl);
    const secret = form.fields.filter((f) => f.type === 'password').map((f) => f.name);
    return this.follow({
      ...(secret.length ? { secret } : {}),
      method: 'POST',
      url: action.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(pageUrl).origin, 'sec-fetch-site': action.origin === new URL(pageUrl).origin ? 'same-origin' : 'cross-site' },
      body: body.toString(),
    });
  }
}
