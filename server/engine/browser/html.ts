// Reads what a person would see on a server-rendered page: the title, the forms (fields with their
// labels, submit buttons) and an alert message. A small tolerant tag scanner for the bank's pages
// (and pages like them); it does not run scripts or apply CSS.
import type { BrowserForm } from '../../../lib/trace/events.ts';

export interface ParsedPage {
  title: string;
  forms: BrowserForm[];
  /** Text of the first role="alert" element (an error shown to the user), or null. */
  alert: string | null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[e.toLowerCase()] ?? whole;
  });
}

/** The attributes of a start tag's inside (`name="v" checked`), names lower-cased, values decoded. */
export function attributes(inside: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of inside.matchAll(re)) out[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  return out;
}

const text = (markup: string) => decodeEntities(markup.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();

export function parsePage(markup: string): ParsedPage {
  const title = text(/<title[^>]*>([\s\S]*?)<\/title>/i.exec(markup)?.[1] ?? '');
  const alertMatch = /<(\w+)[^>]*\brole\s*=\s*["']?alert["']?[^>]*>([\s\S]*?)<\/\1>/i.exec(markup);
  const labels = new Map<string, string>();
  for (const m of markup.matchAll(/<label([^>]*)>([\s\S]*?)<\/label>/gi)) {
    const forId = attributes(m[1]!).for;
    if (forId) labels.set(forId, text(m[2]!));
  }
  const forms: BrowserForm[] = [];
  for (const m of markup.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const a = attributes(m[1]!);
    const form: BrowserForm = { action: a.action ?? '', method: (a.method ?? 'get').toUpperCase(), fields: [], buttons: [] };
    const inner = m[2]!;
    // A label that wraps its input names it.
    const wrapped = new Map<string, string>();
    for (const l of inner.matchAll(/<label[^>]*>([\s\S]*?)<\/label>/gi)) {
      const input = /<input([^>]*)>/i.exec(l[1]!);
      if (input) {
        const ia = attributes(input[1]!);
        wrapped.set(`${ia.name}=${ia.value ?? ''}`, text(l[1]!));
      }
    }
    for (const tag of inner.matchAll(/<(input|button|select|textarea)\b([^>]*)>/gi)) {
      const kind = tag[1]!.toLowerCase();
      const ta = attributes(tag[2]!);
      if (kind === 'button' || (kind === 'input' && (ta.type === 'submit' || ta.type === 'image'))) {
        if (kind === 'input' || (ta.type ?? 'submit') === 'submit') {
          const start = tag.index! + tag[0].length;
          const end = inner.indexOf('</button>', start);
          const label = kind === 'button' ? text(inner.slice(start, end === -1 ? start : end)) : (ta.value ?? '');
          form.buttons.push({ name: ta.name ?? '', value: ta.value ?? '', text: label });
        }
        continue;
      }
      if (!ta.name) continue;
      const type = kind === 'input' ? (ta.type ?? 'text').toLowerCase() : kind;
      const label = (ta.id ? labels.get(ta.id) : undefined) ?? wrapped.get(`${ta.name}=${ta.value ?? ''}`);
      form.fields.push({
        name: ta.name, type, value: ta.value ?? '',
        ...(type === 'checkbox' || type === 'radio' ? { checked: 'checked' in ta } : {}),
        ...(label ? { label } : {}),
      });
    }
    forms.push(form);
  }
  return { title, forms, alert: alertMatch ? text(alertMatch[2]!) : null };
}
