// The bank pages' one stylesheet, served at /assets/bank.css on the IdP origin (CSP: style-src 'self').
// Plain CSS, system fonts, visible keyboard focus, readable at 200% zoom and on a phone.

export const BANK_CSS = `
:root {
  --ink: #14213d; --muted: #4a5568; --line: #d5dbe5; --paper: #ffffff; --wash: #f3f5f9;
  --brand: #0b5d4b; --brand-dark: #07463a; --focus: #ffbf47; --danger: #b42318; --danger-wash: #fdecea;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--wash); line-height: 1.5;
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--brand); }
.skip { position: absolute; left: -999px; top: 0; background: var(--focus); color: var(--ink); padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 2; }
.masthead { background: var(--brand); color: #fff; display: flex; align-items: center; justify-content: space-between; padding: .9rem 1.5rem; }
.brand { display: flex; align-items: center; gap: .75rem; font-weight: 700; font-size: 1.2rem; letter-spacing: .01em; }
.logo { display: inline-grid; place-items: center; width: 2.2rem; height: 2.2rem; border-radius: .5rem; background: #fff; color: var(--brand); font-weight: 800; }
.ribbon { border: 1px solid rgba(255,255,255,.7); border-radius: 999px; padding: .15rem .7rem; font-size: .8rem; text-transform: uppercase; letter-spacing: .08em; }
main { flex: 1; width: 100%; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
main:focus { outline: none; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: .75rem; padding: 1.75rem; box-shadow: 0 1px 2px rgba(20,33,61,.06); }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.lead { color: var(--muted); margin: 0 0 1.25rem; }
.requester { display: flex; gap: .75rem; align-items: center; background: var(--wash); border-radius: .5rem; padding: .75rem 1rem; margin-bottom: 1.25rem; }
.requester .mark { width: 2.5rem; height: 2.5rem; border-radius: 50%; background: var(--ink); color: #fff; display: grid; place-items: center; font-weight: 700; flex: none; }
.requester small { display: block; color: var(--muted); }
label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
input[type=text], input[type=password] { width: 100%; font: inherit; padding: .65rem .75rem; border: 2px solid var(--muted); border-radius: .4rem; background: #fff; color: var(--ink); }
input:focus, button:focus, a:focus, .account:focus-within { outline: 3px solid var(--focus); outline-offset: 2px; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; margin-top: 1.5rem; }
button { font: inherit; font-weight: 600; padding: .7rem 1.4rem; border-radius: .4rem; border: 2px solid var(--brand); cursor: pointer; }
button.primary { background: var(--brand); color: #fff; }
button.primary:hover { background: var(--brand-dark); }
button.secondary { background: #fff; color: var(--brand); }
button.secondary:hover { background: var(--wash); }
.alert { border-left: 5px solid var(--danger); background: var(--danger-wash); padding: .75rem 1rem; border-radius: .25rem; margin-bottom: 1rem; }
.alert strong { display: block; }
fieldset { border: 0; padding: 0; margin: 0; }
legend { font-weight: 700; font-size: 1.1rem; margin: 1.5rem 0 .5rem; padding: 0; }
.account { display: flex; gap: .75rem; align-items: flex-start; border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin: .5rem 0; cursor: pointer; font-weight: 400; }
.account input { width: 1.25rem; height: 1.25rem; margin-top: .2rem; accent-color: var(--brand); flex: none; }
.account .name { font-weight: 600; display: block; }
.account .meta { color: var(--muted); font-size: .92rem; }
ul.shares { margin: .25rem 0 0; padding-left: 1.25rem; }
ul.shares li { margin: .2rem 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 1rem 0 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
table.users { width: 100%; border-collapse: collapse; margin-top: .5rem; font-size: .95rem; }
table.users th, table.users td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
table.users code { background: var(--wash); padding: .05rem .35rem; border-radius: .25rem; }
.note { margin-top: 1.5rem; background: #fffbea; border: 1px solid #f5e3a3; border-radius: .5rem; padding: .75rem 1rem; font-size: .95rem; }
.note h2 { margin-top: 0; font-size: 1rem; }
.foot { color: var(--muted); font-size: .85rem; text-align: center; padding: 1rem; }
@media (max-width: 30rem) { .card { padding: 1.1rem; } .actions button { width: 100%; } }
`;
