import './style.css';
import { createApi, type Api, type ConnectionState } from './api';
import { HealthCharts } from './charts';
import { CycleList } from './cycles';
import { renderDetail } from './detail';
import {
  cycleCompleted,
  healthQuery,
  interventionEvents,
  snapshotQuery,
  type Cycle,
  type Intervention,
  type InterventionEvent,
  type SystemHealth,
} from './documents';
import { byId, h, time } from './dom';
import { renderHealth } from './health';
import { InterventionViews } from './interventions';
import { keyForm, layout } from './layout';
import { canRead, fetchSession, forgetKey, isOperator, storeKey, storedKey, UnknownKeyError, type Session } from './session';

const historyCycles = 120;
const app = byId('app');

function showKeyForm(message?: string): void {
  app.replaceChildren(
    keyForm(message, async (key) => {
      try {
        const session = await fetchSession(key);
        if (!canRead(session)) return showKeyForm('This key cannot read the dashboard: it needs the viewer or operator role.');
        storeKey(key);
        start(session, key);
      } catch (err) {
        showKeyForm(err instanceof UnknownKeyError ? 'The server does not know this key.' : String(err));
      }
    }),
  );
}

function start(session: Session, key: string | null): void {
  const operator = isOperator(session);
  app.replaceChildren(
    layout(session, operator, () => {
      forgetKey();
      api.close();
      showKeyForm();
    }),
  );
  const connection = byId('connection');
  const setState = (state: ConnectionState) => {
    connection.textContent = state;
    connection.dataset.state = state;
  };
  const api: Api = createApi(key, (state) => {
    setState(state);
    if (state === 'refused') {
      forgetKey();
      showKeyForm('The server refused this key for the live feed.');
    }
    // Anything missed while the connection was down is read again in full.
    if (state === 'live') void resync();
  });
  const charts = new HealthCharts([byId('chart-success'), byId('chart-latency')]);
  const cycles = new CycleList(byId('cycles'));
  const detail = byId('detail');
  let selected: string | null = null;
  const select = (id: string) => {
    selected = id;
    void renderDetail(detail, api, id, operator).catch(report);
  };
  const views = new InterventionViews({
    api,
    operator,
    feed: byId('feed'),
    pending: byId('pending'),
    onSelect: select,
    onChange: (intervention: Intervention) => intervention.id === selected && select(intervention.id),
  });

  async function refreshHealth(): Promise<void> {
    const { health } = await api.query<{ health: SystemHealth }>(healthQuery);
    renderHealth(byId<HTMLTableElement>('health'), health);
    byId('cycle').textContent = health.cycleNumber ? `cycle ${health.cycleNumber}, window to ${time(health.windowEnd)}` : 'no cycle yet';
    if (health.windowEnd)
      charts.add({ cycleNumber: health.cycleNumber, windowEnd: health.windowEnd, system: health.system, issuers: health.issuers, methods: health.methods });
  }

  async function resync(): Promise<void> {
    try {
      const [snapshot, history] = await Promise.all([api.query<{ interventions: Intervention[]; cycles: Cycle[] }>(snapshotQuery), api.history(historyCycles)]);
      views.set(snapshot.interventions);
      cycles.set(snapshot.cycles);
      charts.setHistory(history);
      await refreshHealth();
      if (selected) select(selected);
      report(null);
    } catch (err) {
      report(err);
    }
  }

  api.subscribe<{ interventionEvents: InterventionEvent }>(interventionEvents, (data) => views.event(data.interventionEvents));
  api.subscribe<{ cycleCompleted: Cycle }>(cycleCompleted, (data) => {
    cycles.add(data.cycleCompleted);
    void refreshHealth().catch(report);
  });
}

/** One line for the latest failure to read; cleared by the next full read that works. */
function report(err: unknown): void {
  const banner = document.getElementById('problem');
  if (!banner) return;
  banner.textContent = err ? `Could not read from the server: ${err instanceof Error ? err.message : JSON.stringify(err)}` : '';
  banner.hidden = !err;
}

async function boot(): Promise<void> {
  const key = storedKey();
  try {
    const session = await fetchSession(key);
    if (session.authRequired && (!key || !canRead(session))) showKeyForm();
    else start(session, key);
  } catch (err) {
    if (!(err instanceof UnknownKeyError)) throw err;
    forgetKey();
    showKeyForm('The stored key is no longer valid.');
  }
}

void boot().catch((err) => {
  app.replaceChildren(h('p', { class: 'error' }, `The dashboard could not start: ${err instanceof Error ? err.message : String(err)}`));
});
