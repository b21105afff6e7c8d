// Display helpers: durations, dates, run counts, validity of certificates, common names, HTTP classes.

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 10) return `${Math.round(value)} ms`;
  return `${value.toFixed(1)} ms`;
}

/** A stored run's duration, the one every page shows: from when it was accepted to when it finished (null while running). */
export function runDuration(run: { createdAt: string; finishedAt: string | null }): number | null {
  return run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.createdAt) : null;
}

/** An ISO date or epoch milliseconds → "2026-01-02 03:04:05 UTC"; a value that is no date comes back as text. */
export function dateTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export type Validity = 'valid' | 'expired' | 'not-yet-valid';

/** Whether a certificate was within its validity period at the given time. */
export function validityAt(cert: { notBefore: string; notAfter: string }, at: string | number = Date.now()): Validity {
  const t = typeof at === 'number' ? at : Date.parse(at);
  if (t > Date.parse(cert.notAfter)) return 'expired';
  if (t < Date.parse(cert.notBefore)) return 'not-yet-valid';
  return 'valid';
}

/** "CN=tpp-alpha,OU=…,O=Alpha Payments Ltd,C=GB" → "tpp-alpha". */
export function commonName(dn: string): string {
  return /(?:^|,)\s*CN=([^,]+)/.exec(dn)?.[1] ?? dn;
}

/** A run's scenario counts: "3 passed, 1 failed, 2 skipped" (zero counts other than passed left out). */
export function countsText(c: { passed: number; failed: number; error: number; skipped: number }): string {
  return `${c.passed} passed${c.failed ? `, ${c.failed} failed` : ''}${c.error ? `, ${c.error} errors` : ''}${c.skipped ? `, ${c.skipped} skipped` : ''}`;
}

export function httpClass(status: number | null | undefined): string {
  if (!status) return 'http-0';
  return `http-${String(status)[0]}`;
}

/** YAML block text → paragraphs (single line breaks are wrapping, blank lines separate). */
export function paragraphs(text: string): string[] {
  return text.split(/\n\s*\n/).map((p) => p.replace(/\s*\n\s*/g, ' ').trim()).filter(Boolean);
}
