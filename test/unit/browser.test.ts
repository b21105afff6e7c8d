// The engine browser's building blocks and the bank pages' escaping: reading forms, labels, buttons
// and alerts from markup; the cookie jar's path, expiry and Secure rules; the html`` template tag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePage, decodeEntities } from '../../server/engine/browser/html.ts';
import { CookieJar } from '../../server/engine/browser/cookies.ts';
import { escapeHtml, html } from '../../server/idp/interactions/html.ts';
import { checkPassword } from '../../server/idp/interactions/users.ts';
import { describePermissions, permissionProblems } from '../../server/consent/permissions.ts';

test('parsePage reads the title, forms with hidden fields, labelled inputs, checkboxes, buttons and the alert', () => {
  const page = parsePage(`<!doctype html><html><head><title>Sign &amp; go</title></head><body>
    <div class="alert" role="alert"><strong>No</strong> wrong   password</div>
    <form method="post" action="/interaction/u1/login">
      <input type="hidden" name="csrf" value="t&#x3D;1">
      <label for="u">Username</label><input id="u" name="username" value='ada'>
      <input type=password name=password>
      <label class="account"><input type="checkbox" name="account" value="acc-1" checked><span>Everyday &middot; 1234</span></label>
      <label class="account"><input type="checkbox" name="account" value="acc-2"><span>Savings</span></label>
      <button type="submit" name="decision" value="approve" class="primary">Allow <b>access</b></button>
      <button type="button">Not a submit</button>
      <input type="submit" name="go" value="Go">
    </form>
    <form action="/cancel"><button>Cancel</button></form></body></html>`);
  assert.equal(page.title, 'Sign & go');
  assert.equal(page.alert, 'No wrong password');
  assert.equal(page.forms.length, 2);
  const [f, cancel] = page.forms as [NonNullable<(typeof page.forms)[0]>, NonNullable<(typeof page.forms)[1]>];
  assert.equal(f.method, 'POST');
  assert.equal(f.action, '/interaction/u1/login');
  assert.deepEqual(f.fields.map((x) => [x.name, x.type, x.value]), [
    ['csrf', 'hidden', 't=1'], ['username', 'text', 'ada'], ['password', 'password', ''], ['account', 'checkbox', 'acc-1'], ['account', 'checkbox', 'acc-2'],
  ]);
  assert.equal(f.fields[1]!.label, 'Username');
  assert.equal(f.fields[3]!.checked, true);
  assert.equal(f.fields[4]!.checked, false);
  assert.equal(f.fields[3]!.label, 'Everyday &middot; 1234', 'unknown entities are left as they are');
  assert.deepEqual(f.buttons, [{ name: 'decision', value: 'approve', text: 'Allow access' }, { name: 'go', value: 'Go', text: 'Go' }]);
  assert.equal(cancel.method, 'GET');
  assert.deepEqual(cancel.buttons, [{ name: '', value: '', text: 'Cancel' }]);
  assert.equal(decodeEntities('&lt;&#60;&#x3c;&quot;&#0;'), '<<<"&#0;');
});

test('parsePage copes with pages without forms, title or alert', () => {
  assert.deepEqual(parsePage('just text'), { title: '', forms: [], alert: null });
});

test('the cookie jar sends cookies by host and path, honours Max-Age, Expires and Secure, and replaces by name and path', () => {
  const jar = new CookieJar();
  const now = Date.parse('2030-01-01T00:00:00Z');
  jar.store('https://bank.test/auth/123', ['_interaction=a; path=/interaction/X; secure; httponly; samesite=lax', '_session=s; path=/; max-age=60', 'gone=1; path=/; max-age=0'], now);
  jar.store('https://bank.test/auth/123', '_resume=r; path=/auth/X; expires=Wed, 01 Jan 2031 00:00:00 GMT', now);
  jar.store('https://bank.test/auth/123', 'nameless', now);
  assert.equal(jar.header('https://bank.test/interaction/X', now), '_interaction=a; _session=s');
  assert.equal(jar.header('https://bank.test/interaction/X/login', now), '_interaction=a; _session=s');
  assert.equal(jar.header('https://bank.test/interaction/XY', now), '_session=s', 'path boundaries');
  assert.equal(jar.header('http://bank.test/interaction/X', now), '_session=s', 'Secure cookies only over https');
  assert.equal(jar.header('https://bank.test/auth/X', now), '_resume=r; _session=s');
  assert.equal(jar.header('https://other.test/', now), null, 'other hosts get nothing');
  assert.equal(jar.header('https://bank.test/', now + 61_000), null, 'expired');
  jar.store('https://bank.test/', '_session=t; path=/', now);
  assert.equal(jar.header('https://bank.test/', now), '_session=t');
  const defaults = new CookieJar();
  defaults.store('https://bank.test/a/b/c', 'd=1', now);
  assert.equal(defaults.header('https://bank.test/a/b/x', now), 'd=1', 'default path is the directory');
  assert.equal(defaults.header('https://bank.test/a/x', now), null);
});

test('html`` escapes every interpolated value, keeps nested fragments, and skips null, undefined and false', () => {
  const name = '<script>alert("x")</script> & \'co\'';
  assert.equal(escapeHtml(name), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
  const out = html`<p title="${name}">${name}${html`<b>${'<i>'}</b>`}${[1, html`<br>`]}${null}${undefined}${false}</p>`.value;
  assert.equal(out, `<p title="${escapeHtml(name)}">${escapeHtml(name)}<b>&lt;i&gt;</b>1<br></p>`);
});

test('test passwords are checked exactly, unknown users fail', () => {
  assert.equal(checkPassword('demo', 'correct-horse'), true);
  assert.equal(checkPassword('demo', 'correct-horse '), false);
  assert.equal(checkPassword('alice', 'correct-horse'), false);
  assert.equal(checkPassword('nobody', ''), false);
});

test('OBIE permission rules and their plain words', () => {
  assert.deepEqual(permissionProblems(['ReadAccountsBasic', 'ReadTransactionsBasic', 'ReadTransactionsCredits']), []);
  assert.equal(permissionProblems([]).length, 1);
  assert.match(permissionProblems(['ReadStatementsBasic'])[0]!, /does not offer/);
  assert.deepEqual(describePermissions(['ReadAccountsBasic', 'ReadTransactionsBasic', 'ReadTransactionsDebits']), [
    { title: 'Your account details', items: ['The name, type and currency of each account'] },
    { title: 'Your account transactions', items: ['Money out only (payments from your accounts)', 'The date, amount and reference of each transaction'] },
  ]);
});
