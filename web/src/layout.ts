import { h } from './dom';
import type { Session } from './session';

/** The sign-in form shown when the server needs a key and the tab has none. */
export function keyForm(message: string | undefined, submit: (key: string) => Promise<void>): HTMLElement {
  const input = h('input', {
    type: 'password',
    name: 'key',
    autocomplete: 'off',
    required: true,
    'aria-label': 'API key',
    placeholder: 'viewer or operator key',
  });
  const form = h(
    'form',
    { class: 'key-form', 'data-testid': 'key-form' },
    h('h1', {}, 'PayOps operations'),
    h('p', {}, 'This server needs an API key. It is kept in this tab only.'),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    input,
    h('button', { type: 'submit' }, 'Open dashboard'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit(input.value.trim());
  });
  return form;
}

const panel = (title: string, id: string, tag: 'div' | 'ul' | 'table' = 'div', placeholder?: string) =>
  h('section', { class: `panel panel-${id}` }, h('h2', {}, title), h(tag, { id }, placeholder ? h('p', { class: 'muted' }, placeholder) : null));

/** The dashboard's frame; the modules fill the elements by id. */
export function layout(session: Session, operator: boolean, signOut: () => void): HTMLElement {
  const who = session.authRequired ? `${session.name ?? 'unknown'} (${operator ? 'operator' : 'viewer'})` : 'authentication off';
  return h(
    'div',
    { class: 'page' },
    h(
      'header',
      { class: 'top' },
      h('h1', {}, 'PayOps'),
      h('span', { id: 'cycle', class: 'muted' }, 'loading…'),
      h('span', { class: 'spacer' }),
      h('span', { id: 'connection', class: 'connection', 'data-testid': 'connection' }, 'connecting'),
      h('span', { 'data-testid': 'who', 'data-role': operator ? 'operator' : 'viewer' }, who),
      session.authRequired ? h('button', { class: 'link', onclick: signOut }, 'Sign out') : null,
    ),
    h('p', { id: 'problem', class: 'error banner', hidden: true }),
    h(
      'main',
      { class: 'grid' },
      panel('Health, latest window', 'health', 'table'),
      panel('Waiting for approval', 'pending'),
      h('section', { class: 'panel panel-charts' }, h('div', { id: 'chart-success' }), h('div', { id: 'chart-latency' })),
      panel('Interventions, live', 'feed', 'ul'),
      panel('Cycle decisions', 'cycles', 'ul'),
      panel('Intervention', 'detail', 'div', 'Select an intervention to see its hypothesis, evidence, NRV and pre-mortem.'),
    ),
  );
}
