// The engine's failure explanations (server/engine/explain.ts) taken apart for display: the step, what
// went wrong, and the fix, so a page can lay them out (and leave out the scenario title it already shows).

export interface ExplanationParts {
  step: number | null;
  stepName: string | null;
  what: string;
  fix: string | null;
}

/** "<title>: step N "<name>": <what>. Fix: <fix>" (or "... could not run: <why>") → its parts. */
export function explanationParts(text: string, title: string): ExplanationParts {
  let rest = title && text.startsWith(`${title}: `) ? text.slice(title.length + 2) : text;
  const step = /^step (\d+) "(.*?)"(: | could not run: )/.exec(rest);
  if (step) rest = `${step[3] === ': ' ? '' : 'could not run: '}${rest.slice(step[0].length)}`;
  const at = rest.indexOf(' Fix: ');
  return {
    step: step ? Number(step[1]) : null,
    stepName: step ? step[2]! : null,
    what: at >= 0 ? rest.slice(0, at) : rest,
    fix: at >= 0 ? rest.slice(at + ' Fix: '.length) : null,
  };
}
