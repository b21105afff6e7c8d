// Server-rendered HTML for the bank's sign-in and consent pages: an escaping template tag (every
// interpolated value is escaped unless it is an Html fragment built by this tag) and the page shell.

/** A fragment of markup that is already safe to embed. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function piece(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** Tagged template: html`<p>${text}</p>` escapes `text`; arrays and nested html`` fragments are joined as they are. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += piece(v) + strings[i + 1]!;
  });
  return new Html(out);
}

export const BANK_NAME = 'Sandbox Bank';

/** The whole document: the bank's header, a sandbox ribbon, the page body, and the shared stylesheet. */
export function page(title: string, body: Html): string {
  return `<!doctype html>${html`<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} – ${BANK_NAME}</title>
<link rel="stylesheet" href="/assets/bank.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="masthead">
  <div class="brand"><span class="logo" aria-hidden="true">SB</span><span>${BANK_NAME}</span></div>
  <span class="ribbon" title="Test users and data only">Sandbox</span>
</header>
<main id="main" tabindex="-1">
${body}
</main>
<footer class="foot">
  <p>${BANK_NAME} is part of fapi-sandbox. Every customer, account and password on these pages is test data.</p>
</footer>
</body>
</html>`}`;
}
