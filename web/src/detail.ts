import type { Api } from './api';
import { detailQuery, rollbackMutation, type InterventionDetail } from './documents';
import { h, money, percent, time } from './dom';
import { alertKind, interventionLabel, turnedAway } from './interventions';

const section = (title: string, ...content: (Node | string | null)[]) => h('section', {}, h('h3', {}, title), ...content);
const pairs = (rows: [string, string][]) => h('dl', {}, ...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));

function hypothesis(detail: InterventionDetail): HTMLElement {
  const hyp = detail.hypothesis;
  if (!hyp) return section('Hypothesis', h('p', { class: 'muted' }, 'None: a baseline action without a finding.'));
  return section(
    'Hypothesis',
    h(
      'p',
      {},
      `${hyp.cause.replaceAll('_', ' ')} on ${hyp.target}, ${percent(hyp.confidence, 0)} confident (${hyp.patternType.replaceAll('_', ' ')}): success ${percent(hyp.observedSuccessRate)} against a baseline of ${percent(hyp.baselineSuccessRate)}.`,
    ),
    h('h4', {}, 'Evidence'),
    h('ul', { 'data-testid': 'evidence' }, ...hyp.evidence.map((line) => h('li', {}, line))),
  );
}

function nrv(detail: InterventionDetail): HTMLElement {
  const n = detail.nrv;
  const m = (value: number) => money(value, n.currency);
  return section(
    'NRV',
    h(
      'p',
      { class: 'nrv-sum', 'data-testid': 'nrv' },
      `${m(n.value)} = ${m(n.revenueRecovered)} recovered${n.retryCostSaved ? ` + ${m(n.retryCostSaved)} retry fees saved` : ''} − ${m(n.interventionCost)} cost − ${m(n.riskCost)} risk`,
    ),
    pairs([
      ['volume per window', n.volumePerWindow.toFixed(0)],
      ['horizon', `${n.horizonWindows.toFixed(1)} windows`],
      ['uplift', percent(n.upliftRate)],
      ['value of a payment', m(n.ticketValue)],
      ['effectiveness', percent(n.effectiveness, 0)],
      ['confidence', percent(n.confidence, 0)],
    ]),
    detail.alternatives.length
      ? h('p', { class: 'muted' }, `Beat: ${detail.alternatives.map((a) => `${interventionLabel(a)} (${money(a.nrv.value, a.nrv.currency)})`).join('; ')}`)
      : null,
  );
}

function preMortem(detail: InterventionDetail): HTMLElement {
  const pm = detail.preMortem;
  return section(
    'Pre-mortem',
    h(
      'p',
      { 'data-testid': 'premortem' },
      `Blast radius ${percent(pm.blastRadius)} against an autonomy limit of ${percent(pm.autonomyLimit)}: ${pm.requiresApproval ? 'needs an operator' : 'safe to act alone'}.`,
    ),
    typeof detail.params.trafficShare === 'number'
      ? h(
          'p',
          { 'data-testid': 'contained' },
          `Contained: moves ${percent(detail.params.trafficShare, 0)} of ${detail.target}'s traffic, the share that fits the autonomy limit; moving all of it waits for an operator.`,
        )
      : null,
    pm.risks.length
      ? h('ul', {}, ...pm.risks.map((risk) => h('li', {}, `${risk.description} (${percent(risk.likelihood, 0)} likely)`)))
      : h('p', { class: 'muted' }, 'No risks named.'),
    pm.violations.length ? h('p', { class: 'error' }, `Limits broken: ${pm.violations.join('; ')}`) : null,
  );
}

function history(detail: InterventionDetail): HTMLElement {
  return section(
    'History',
    h('ol', {}, ...detail.transitions.map((t) => h('li', {}, `${time(t.at)} ${t.from ?? '–'} → ${t.to} by ${t.actor}${t.reason ? `: ${t.reason}` : ''}`))),
    detail.outcome
      ? h(
          'p',
          {},
          `Outcome: uplift ${percent(detail.outcome.realisedUpliftRate)} realised against ${percent(detail.outcome.predictedUpliftRate)} predicted, NRV ${money(detail.outcome.realisedNrv, detail.nrv.currency)}. ${detail.outcome.reason}`,
        )
      : null,
  );
}

/** Statuses in which a change to traffic is running and an operator may undo it. */
const running = new Set(['EXECUTED', 'EVALUATED']);

/** An operator's undo of a running move, with the reason the audit keeps. */
function rollbackControl(detail: InterventionDetail, api: Api, refresh: () => void): HTMLElement | null {
  if (!running.has(detail.status) || detail.action === 'ALERT_OPS') return null;
  const reason = h('input', { type: 'text', placeholder: 'reason for the rollback', 'aria-label': 'rollback reason' });
  const error = h('div', { class: 'error', role: 'alert' });
  const button = h('button', { class: 'reject', 'data-testid': 'rollback' }, 'Roll back');
  const rollback = async (): Promise<void> => {
    if (!reason.value.trim()) {
      error.textContent = 'A rollback needs a reason.';
      reason.focus();
      return;
    }
    button.disabled = true;
    try {
      await api.query(rollbackMutation, { id: detail.id, reason: reason.value.trim() });
      refresh();
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
      button.disabled = false;
    }
  };
  button.addEventListener('click', () => void rollback());
  return h('div', { class: 'controls', 'data-testid': 'rollback-controls' }, reason, button, error);
}

/**
 * One intervention in full: why (hypothesis and evidence), what it is worth (NRV), what could go
 * wrong (pre-mortem); for an operator, a way to undo it while it runs.
 */
export async function renderDetail(container: HTMLElement, api: Api, id: string, operator: boolean): Promise<void> {
  const { intervention: detail } = await api.query<{ intervention: InterventionDetail | null }>(detailQuery, { id });
  if (!detail) {
    container.replaceChildren(h('p', { class: 'muted' }, 'This intervention is gone.'));
    return;
  }
  const undo = operator ? rollbackControl(detail, api, () => void renderDetail(container, api, id, operator)) : null;
  container.replaceChildren(
    h(
      'h2',
      {},
      `${interventionLabel(detail)} `,
      h('span', { class: `badge status-${detail.status.toLowerCase()}`, 'data-testid': 'detail-status' }, detail.status.replaceAll('_', ' ')),
      ' ',
      alertKind(detail),
    ),
    h(
      'p',
      { class: 'muted' },
      `cycle ${detail.cycleNumber}, created ${time(detail.createdAt)}, executed ${time(detail.executedAt)}, expires ${time(detail.expiresAt)}, params ${JSON.stringify(detail.params)}`,
    ),
    ...[turnedAway(detail), undo].filter((node): node is HTMLElement => node !== null),
    h('div', { class: 'detail-grid' }, hypothesis(detail), nrv(detail), preMortem(detail), history(detail)),
  );
}
