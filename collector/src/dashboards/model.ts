/**
 * Typed builders for the Grafana dashboard JSON model (schemaVersion 39): small on purpose, so
 * the generated JSON is stable and every field the dashboards use is visible here.
 */

/** One PromQL query of a panel; `legend` is a Grafana legend format such as `{{provider}}`. */
export interface QuerySpec {
  readonly expr: string;
  readonly legend: string;
}

export type PanelKind = 'timeseries' | 'stat';

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly kind?: PanelKind;
  /** A Grafana unit id: `s`, `reqps`, `percentunit`, `currencyUSD`, `bytes`, `short`, ... */
  readonly unit: string;
  readonly queries: readonly QuerySpec[];
  /** Grid width out of 24 (default 8 for time series, 6 for stats). */
  readonly width?: number;
  /**
   * The setting a service turns on for this panel's series (`runtime: { gc: true }`): a panel
   * that is empty because a service left it off is no fault of the stack.
   */
  readonly optIn?: string;
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly rows: readonly RowSpec[];
  /** The tag that groups one namespace's dashboards, and their links to each other (default `agentmeter`). */
  readonly tag?: string;
}

interface GridPos {
  readonly h: number;
  readonly w: number;
  readonly x: number;
  readonly y: number;
}

export interface GrafanaTarget {
  readonly refId: string;
  readonly datasource: { readonly type: 'prometheus'; readonly uid: string };
  readonly expr: string;
  readonly legendFormat: string;
  readonly range: true;
}

export interface GrafanaPanel {
  readonly id: number;
  readonly type: 'row' | PanelKind;
  readonly title: string;
  readonly gridPos: GridPos;
  readonly description?: string;
  readonly datasource?: { readonly type: 'prometheus'; readonly uid: string };
  readonly targets?: readonly GrafanaTarget[];
  readonly fieldConfig?: unknown;
  readonly options?: unknown;
  readonly collapsed?: boolean;
  readonly panels?: readonly GrafanaPanel[];
}

export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly panels: readonly GrafanaPanel[];
  readonly [key: string]: unknown;
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
const PANEL_HEIGHT = 8;
const STAT_HEIGHT = 4;

function target(query: QuerySpec, index: number): GrafanaTarget {
  return {
    refId: String.fromCharCode(65 + index),
    datasource: DATASOURCE,
    expr: query.expr,
    legendFormat: query.legend,
    range: true,
  };
}

function panelOptions(kind: PanelKind): unknown {
  if (kind === 'stat') {
    return {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'value',
      graphMode: 'area',
      textMode: 'auto',
    };
  }
  return {
    legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
    tooltip: { mode: 'multi', sort: 'desc' },
  };
}

function fieldConfig(kind: PanelKind, unit: string): unknown {
  const custom =
    kind === 'timeseries' ? { custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never' } } : {};
  return { defaults: { unit, ...custom }, overrides: [] };
}

/** Lays rows of panels out on Grafana's 24-column grid and assigns stable ids. */
export function buildDashboard(spec: DashboardSpec): GrafanaDashboard {
  const panels: GrafanaPanel[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      gridPos: { h: 1, w: 24, x: 0, y },
      collapsed: false,
      panels: [],
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const panel of row.panels) {
      const kind = panel.kind ?? 'timeseries';
      const w = panel.width ?? (kind === 'stat' ? 6 : 8);
      const h = kind === 'stat' ? STAT_HEIGHT : PANEL_HEIGHT;
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      panels.push({
        id: id++,
        type: kind,
        title: panel.title,
        description: panel.description,
        gridPos: { h, w, x, y },
        datasource: DATASOURCE,
        targets: panel.queries.map(target),
        fieldConfig: fieldConfig(kind, panel.unit),
        options: panelOptions(kind),
      });
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [spec.tag ?? 'agentmeter'],
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    time: { from: 'now-1h', to: 'now' },
    timezone: 'browser',
    templating: { list: TEMPLATE_VARIABLES },
    annotations: { list: [] },
    links: [
      { title: spec.tag ?? 'agentmeter', type: 'dashboards', tags: [spec.tag ?? 'agentmeter'], asDropdown: true },
    ],
    panels,
  };
}

/** The datasource picker and a `job` (service) filter; queries select `{job=~"$job"}`. */
const TEMPLATE_VARIABLES: readonly unknown[] = [
  { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
  {
    name: 'job',
    label: 'Service',
    type: 'query',
    datasource: DATASOURCE,
    query: { query: 'label_values(job)', refId: 'job' },
    definition: 'label_values(job)',
    includeAll: true,
    multi: true,
    allValue: '.+',
    current: { text: 'All', value: '$__all' },
    refresh: 2,
    sort: 1,
    hide: 0,
  },
];

/** The dashboard's opt-in panels by title, each with the setting that fills it. */
export function optInPanels(spec: DashboardSpec): Map<string, string> {
  const panels = spec.rows.flatMap((row) => row.panels);
  return new Map(panels.flatMap((panel) => (panel.optIn === undefined ? [] : [[panel.title, panel.optIn] as const])));
}

/** Every query of a dashboard, with the panel it belongs to. */
export function dashboardQueries(dashboard: GrafanaDashboard): { panel: string; expr: string }[] {
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((t) => ({ panel: panel.title, expr: t.expr })));
}
