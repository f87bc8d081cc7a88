import type { Api } from './api';
import { approveMutation, rejectMutation, type Intervention, type InterventionEvent } from './documents';
import { h, money, percent, time } from './dom';

const maxFeed = 50;

/** Where each status stands in the lifecycle; every transition the server allows moves forward. */
const lifecycleStep: Record<string, number> = {
  PROPOSED: 0,
  AWAITING_APPROVAL: 0,
  SHADOW: 0,
  APPROVED: 1,
  EXECUTED: 2,
  EVALUATED: 3,
  REJECTED: 4,
  EXPIRED: 4,
  ROLLED_BACK: 4,
};
const stepOf = (status: string) => lifecycleStep[status] ?? 0;
const runningStatuses = new Set(['PROPOSED', 'EXECUTED', 'EVALUATED']);

export interface InterventionViewOptions {
  api: Api;
  operator: boolean;
  feed: HTMLElement;
  pending: HTMLElement;
  onSelect(id: string): void;
  onChange(intervention: Intervention): void;
}

/** Where a route sends the path's payments: `→ pg_b 60%, pg_c 40%`. */
const routedTo = (params: Intervention['params']) =>
  Array.isArray(params.to) ? ` → ${params.to.map((g) => `${g.gateway} ${percent(g.share, 0)}`).join(', ')}` : '';

/** The action and target, where a route sends it, and the share of the target's traffic when the move is contained. */
export const interventionLabel = (i: Pick<Intervention, 'action' | 'target' | 'params'>) =>
  `${i.action.replaceAll('_', ' ')} ${i.target}${routedTo(i.params)}${typeof i.params.trafficShare === 'number' ? ` on ${percent(i.params.trafficShare, 0)}` : ''}`;

/** The estimate stored with the intervention of good payments it turns away, or null when it turns none away. */
export function turnedAway(i: Pick<Intervention, 'turnedAway'>): HTMLElement | null {
  const { paymentsPerMinute, valuePerMinute, currency } = i.turnedAway;
  if (!(paymentsPerMinute > 0)) return null;
  const payments = paymentsPerMinute >= 10 ? Math.round(paymentsPerMinute).toLocaleString('en-IN') : String(Number(paymentsPerMinute.toPrecision(2)));
  return h('span', { class: 'turned-away', 'data-testid': 'turned-away' }, `turns away ~${payments} payments/min, ~${money(valuePerMinute, currency)}`);
}

/** An alert is a page unless it is the quiet-cycle heartbeat, which is marked and kept quiet. */
export function alertKind(i: Pick<Intervention, 'action' | 'heartbeat'>): HTMLElement | null {
  if (i.action !== 'ALERT_OPS') return null;
  return h('span', { class: `badge ${i.heartbeat ? 'heartbeat' : 'page'}`, 'data-testid': 'alert-kind' }, i.heartbeat ? 'heartbeat' : 'page');
}

/** The live feed (every intervention, most recently changed first) and the approvals waiting for an operator. */
export class InterventionViews {
  private readonly byId = new Map<string, Intervention>();
  /** The last event seen per intervention, for who moved it and why. */
  private readonly lastEvent = new Map<string, InterventionEvent>();
  /** Drafts of notes typed into pending cards survive a card's re-render. */
  private readonly notes = new Map<string, string>();
  /** Cards are rebuilt only when their intervention changed, so a live event elsewhere never steals an operator's focus. */
  private readonly cards = new Map<string, { version: string; element: HTMLElement }>();

  constructor(private readonly options: InterventionViewOptions) {}

  set(interventions: Intervention[]): void {
    this.byId.clear();
    interventions.forEach((i) => this.byId.set(i.id, i));
    this.render();
  }

  event(event: InterventionEvent): void {
    this.lastEvent.set(event.intervention.id, event);
    this.upsert(event.intervention);
  }

  private upsert(intervention: Intervention): void {
    const known = this.byId.get(intervention.id);
    // A mutation's answer and the live events race each other: never move an intervention
    // back along its lifecycle (timestamps can tie, the order of statuses cannot).
    if (known && stepOf(known.status) > stepOf(intervention.status)) return;
    this.byId.set(intervention.id, intervention);
    this.render();
    this.options.onChange(intervention);
  }

  private sorted(): Intervention[] {
    return [...this.byId.values()].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || b.id.localeCompare(a.id));
  }

  private render(): void {
    const all = this.sorted();
    this.options.feed.replaceChildren(...all.slice(0, maxFeed).map((i) => this.feedRow(i)));
    const waiting = all.filter((i) => i.status === 'AWAITING_APPROVAL');
    const cards = waiting.map((i) => this.card(i));
    for (const id of this.cards.keys()) if (!waiting.some((i) => i.id === id)) this.cards.delete(id);
    const shown = [...this.options.pending.children];
    if (cards.length === 0) this.options.pending.replaceChildren(h('p', { class: 'muted', 'data-testid': 'no-pending' }, 'Nothing waits for approval.'));
    else if (cards.length !== shown.length || cards.some((card, k) => card !== shown[k])) this.options.pending.replaceChildren(...cards);
  }

  private card(i: Intervention): HTMLElement {
    const contained = this.containedPart(i);
    const version = `${i.updatedAt} ${contained?.id ?? ''}`;
    const cached = this.cards.get(i.id);
    if (cached?.version === version) return cached.element;
    const element = this.pendingCard(i, contained);
    this.cards.set(i.id, { version, element });
    return element;
  }

  private feedRow(i: Intervention): HTMLElement {
    const event = this.lastEvent.get(i.id);
    return h(
      'li',
      {
        'data-testid': 'feed-row',
        'data-id': i.id,
        'data-status': i.status,
        class: `clickable${i.heartbeat ? ' heartbeat' : ''}`,
        onclick: () => this.options.onSelect(i.id),
      },
      h('span', { class: 'muted' }, time(i.updatedAt)),
      h('span', { class: `badge status-${i.status.toLowerCase()}` }, i.status.replaceAll('_', ' ')),
      alertKind(i),
      h('span', { class: 'name' }, interventionLabel(i)),
      h('span', { class: 'num' }, `NRV ${money(i.nrv.value, i.nrv.currency)}`),
      turnedAway(i),
      event ? h('div', { class: 'muted reason' }, `${event.actor}${event.reason ? `: ${event.reason}` : ''}`) : null,
    );
  }

  /** The contained part of this move already running, if any: it runs on whatever the operator decides here. */
  private containedPart(i: Intervention): Intervention | undefined {
    return [...this.byId.values()].find(
      (other) =>
        other.id !== i.id &&
        other.action === i.action &&
        other.target === i.target &&
        typeof other.params.trafficShare === 'number' &&
        runningStatuses.has(other.status),
    );
  }

  private pendingCard(i: Intervention, contained: Intervention | undefined): HTMLElement {
    const error = h('div', { class: 'error', role: 'alert' });
    const note = h('input', {
      type: 'text',
      placeholder: 'note (approve) or reason (reject)',
      'aria-label': 'note or reason',
      value: this.notes.get(i.id) ?? '',
    });
    note.addEventListener('input', () => this.notes.set(i.id, note.value));
    const decide = async (button: HTMLButtonElement, run: () => Promise<Intervention>) => {
      error.textContent = '';
      button.disabled = true;
      try {
        this.notes.delete(i.id);
        this.upsert(await run());
      } catch (err) {
        error.textContent = err instanceof Error ? err.message : String(err);
        button.disabled = false;
      }
    };
    // An approval may narrow the move: a smaller share of the target's traffic; empty means all of it.
    const share = h('input', {
      type: 'number',
      min: '1',
      max: '100',
      step: '1',
      placeholder: '100 %',
      title: 'share of the traffic to approve, in percent (empty: all of it)',
      'aria-label': 'share of traffic to approve (%)',
      class: 'share',
    });
    const approve = h('button', { class: 'approve', 'data-testid': 'approve' }, 'Approve');
    approve.addEventListener('click', () => {
      const percentOfTraffic = share.value.trim() === '' ? null : Number(share.value);
      if (percentOfTraffic !== null && !(percentOfTraffic > 0 && percentOfTraffic <= 100)) {
        error.textContent = 'The share to approve must be above 0% and at most 100%.';
        share.focus();
        return;
      }
      const scope = percentOfTraffic === null ? null : { trafficShare: percentOfTraffic / 100 };
      void decide(
        approve,
        async () =>
          (await this.options.api.query<{ approveIntervention: Intervention }>(approveMutation, { id: i.id, note: note.value || null, scope }))
            .approveIntervention,
      );
    });
    const reject = h('button', { class: 'reject', 'data-testid': 'reject' }, 'Reject');
    reject.addEventListener('click', () => {
      if (!note.value.trim()) {
        error.textContent = 'A rejection needs a reason.';
        note.focus();
        return;
      }
      void decide(
        reject,
        async () =>
          (await this.options.api.query<{ rejectIntervention: Intervention }>(rejectMutation, { id: i.id, reason: note.value.trim() })).rejectIntervention,
      );
    });
    return h(
      'article',
      { class: 'pending-card', 'data-testid': 'pending-card', 'data-id': i.id },
      h(
        'header',
        { class: 'clickable', onclick: () => this.options.onSelect(i.id) },
        h('strong', {}, interventionLabel(i)),
        h('span', { class: 'muted' }, ` cycle ${i.cycleNumber}`),
      ),
      h(
        'p',
        {},
        i.hypothesis ? `${i.hypothesis.cause.replaceAll('_', ' ')} (${percent(i.hypothesis.confidence, 0)} confident). ` : '',
        `NRV ${money(i.nrv.value, i.nrv.currency)}, blast radius ${percent(i.blastRadius)}. `,
        i.approvalExpiresAt ? `Expires ${time(i.approvalExpiresAt)} if nobody decides.` : '',
      ),
      turnedAway(i),
      contained
        ? h(
            'p',
            { class: 'muted', 'data-testid': 'contained-part' },
            `Already moving ${percent(contained.params.trafficShare as number, 0)} of its traffic on its own; rejecting this leaves that running (roll it back from its detail).`,
          )
        : null,
      this.options.operator
        ? h('div', { class: 'controls' }, note, share, approve, reject)
        : h('p', { class: 'muted' }, 'An operator key is needed to decide.'),
      error,
    );
  }
}
