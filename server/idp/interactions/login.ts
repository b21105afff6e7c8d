// The bank's sign-in page (the OIDC "login" prompt): username and password of a test customer, shown
// on the page because this is a sandbox; a wrong password re-renders the page with an error.
import { BANK_NAME, html, type Html } from './html.ts';
import { checkPassword, TEST_USERS } from './users.ts';
import type { PageContext } from './index.ts';

export interface LoginView {
  username?: string;
  error?: string;
}

export async function loginPage(p: PageContext, view: LoginView = {}): Promise<{ title: string; body: Html }> {
  const customers = await p.deps.prisma.customer.findMany({ where: { username: { in: TEST_USERS.map((u) => u.username) } }, select: { username: true, name: true } });
  const nameOf = new Map(customers.map((c) => [c.username, c.name]));
  const errorId = 'sign-in-error';
  const body = html`<div class="card">
  <h1>Sign in to continue</h1>
  <div class="requester"><span class="mark" aria-hidden="true">${p.client.name.slice(0, 1)}</span>
    <div><strong>${p.client.name}</strong> wants to connect to your ${BANK_NAME} accounts.<small>Sign in, then choose what to share.</small></div></div>
  ${view.error ? html`<div class="alert" role="alert" id="${errorId}"><strong>We could not sign you in</strong>${view.error}</div>` : ''}
  <form method="post" action="/interaction/${p.uid}/login" novalidate>
    <input type="hidden" name="csrf" value="${p.csrf}">
    <label for="username">Username</label>
    <input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus
      value="${view.username ?? ''}"${view.error ? html` aria-invalid="true" aria-describedby="${errorId}"` : ''}>
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required${view.error ? html` aria-describedby="${errorId}"` : ''}>
    <div class="actions"><button type="submit" class="primary">Sign in</button></div>
  </form>
  <form method="post" action="/interaction/${p.uid}/cancel">
    <input type="hidden" name="csrf" value="${p.csrf}">
    <div class="actions"><button type="submit" class="secondary">Cancel and return to ${p.client.name}</button></div>
  </form>
  <section class="note" aria-labelledby="test-users">
    <h2 id="test-users">Sandbox test customers</h2>
    <table class="users">
      <thead><tr><th scope="col">Customer</th><th scope="col">Username</th><th scope="col">Password</th></tr></thead>
      <tbody>${TEST_USERS.map((u) => html`<tr><td>${nameOf.get(u.username) ?? ''}</td><td><code>${u.username}</code></td><td><code>${u.password}</code></td></tr>`)}</tbody>
    </table>
  </section>
</div>`;
  return { title: 'Sign in', body };
}

/** POST /interaction/:uid/login: the customer (session accountId = customer id), or the page again with an error. */
export async function submitLogin(p: PageContext, form: URLSearchParams): Promise<{ accountId: string } | { status: number; view: LoginView }> {
  const username = (form.get('username') ?? '').trim().slice(0, 64);
  const password = form.get('password') ?? '';
  if (!username || !password) return { status: 400, view: { username, error: 'Enter your username and password.' } };
  if (!checkPassword(username, password)) return { status: 401, view: { username, error: 'The username or password is not right. The test customers are listed below.' } };
  const customer = await p.deps.prisma.customer.findUnique({ where: { username }, select: { id: true } });
  if (!customer) return { status: 401, view: { username, error: 'This test customer has no accounts at the bank.' } };
  return { accountId: customer.id };
}
