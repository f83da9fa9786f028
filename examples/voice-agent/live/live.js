// The demo's live view: draws the panels /api/panels lists with uPlot, from range queries that the
// demo proxies to its Prometheus or, without one, evaluates itself over the service's /metrics
// history (/api/source says which). Plain browser JavaScript, no build step.
/* global uPlot */
const WINDOW_SECONDS = 600;
const STEP_SECONDS = 5;
const COLORS = [
  '#73bf69',
  '#f2cc0c',
  '#5794f2',
  '#ff9830',
  '#f2495c',
  '#b877d9',
  '#8ab8ff',
  '#ffb357',
  '#96d98d',
  '#ca95e5',
];

/** What the browser test reads: the panels, and those without a point yet. */
window.liveView = { panels: 0, empty: [], refreshed: 0, source: '' };

function format(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  if (unit === 's') return value < 1 ? `${(value * 1000).toFixed(0)} ms` : `${value.toFixed(2)} s`;
  if (unit === 'percentunit') return `${(value * 100).toFixed(1)}%`;
  if (unit === 'currencyUSD') return `$${value.toFixed(4)}`;
  return value.toFixed(2);
}

function legendOf(template, metric) {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => metric[name] ?? '').trim() || '(total)';
}

async function queryRange(expr, start, end) {
  const params = new URLSearchParams({
    query: expr,
    start: String(start),
    end: String(end),
    step: String(STEP_SECONDS),
  });
  const response = await fetch(`/api/query_range?${params}`);
  const body = await response.json();
  if (body.status !== 'success') throw new Error(body.error || `HTTP ${response.status}`);
  return body.data.result;
}

function createPanel(panel) {
  const element = document.createElement('section');
  element.className = 'panel';
  const title = document.createElement('h2');
  title.textContent = panel.title;
  const where = document.createElement('div');
  where.className = 'where';
  where.textContent = `${panel.dashboard.replace('agentmeter / ', '')}: ${panel.description}`;
  const chart = document.createElement('div');
  const status = document.createElement('div');
  status.className = 'status';
  element.append(title, where, chart, status);
  document.getElementById('panels').append(element);
  return { panel, element, chart, status, plot: undefined, labels: '' };
}

async function refresh(view) {
  const end = Math.floor(Date.now() / 1000);
  const start = end - WINDOW_SECONDS;
  const times = [];
  for (let t = start - (start % STEP_SECONDS); t <= end; t += STEP_SECONDS) times.push(t);
  const index = new Map(times.map((t, i) => [t, i]));
  const series = [];
  try {
    for (const query of view.panel.queries) {
      for (const result of await queryRange(query.expr, start - (start % STEP_SECONDS), end)) {
        const values = times.map(() => null);
        for (const [t, v] of result.values) {
          const i = index.get(Math.round(t));
          // NaN (a quantile of an empty window) is a gap: uPlot's scales would turn NaN everywhere.
          if (i !== undefined) values[i] = Number.isFinite(Number(v)) ? Number(v) : null;
        }
        series.push({ label: legendOf(query.legend, result.metric), values });
      }
    }
  } catch (error) {
    view.status.textContent = `query failed: ${error.message}`;
    return false;
  }
  const points = series.reduce((sum, s) => sum + s.values.filter((v) => v !== null && Number.isFinite(v)).length, 0);
  view.element.dataset.points = String(points);
  view.status.textContent = points === 0 ? 'no data yet' : '';
  const labels = series.map((s) => s.label).join('|');
  const data = [times, ...series.map((s) => s.values)];
  if (view.plot !== undefined && labels === view.labels) {
    view.plot.setData(data);
  } else {
    view.plot?.destroy();
    view.labels = labels;
    view.plot = new uPlot(
      {
        width: Math.max(view.chart.clientWidth, 380),
        height: 220,
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLORS[i % COLORS.length],
            width: 1.5,
            value: (_, v) => format(v, view.panel.unit),
          })),
        ],
        axes: [
          { stroke: '#9fa7b3' },
          { stroke: '#9fa7b3', size: 70, values: (_, ticks) => ticks.map((v) => format(v, view.panel.unit)) },
        ],
      },
      data,
      view.chart,
    );
  }
  return points > 0;
}

async function main() {
  const { source } = await (await fetch('/api/source')).json();
  window.liveView.source = source;
  if (source === 'service') {
    document.getElementById('source').textContent =
      "computed by the demo from the service's own /metrics (no Prometheus on the PATH)";
  }
  const panels = await (await fetch('/api/panels')).json();
  const views = panels.map(createPanel);
  window.liveView.panels = views.length;
  const round = async () => {
    const filled = await Promise.all(views.map(refresh));
    window.liveView.empty = views.filter((_, i) => !filled[i]).map((v) => v.panel.title);
    window.liveView.refreshed += 1;
  };
  await round();
  setInterval(round, STEP_SECONDS * 1000);
}

main().catch((error) => {
  document.getElementById('panels').textContent = `The live view could not start: ${error.message}`;
});
