/**
 * The Prometheus rule files and their promtool unit tests as data, rendered to YAML by the
 * generator (../generate.ts) for any namespace.
 */
import { Document, isMap, isSeq } from 'yaml';

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export type Severity = 'critical' | 'warning' | 'info';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly severity: Severity;
  /** Labels besides severity (for example `slo`). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
  /** A comment written above the rule. */
  readonly comment?: string;
}

export interface RuleGroup<R> {
  readonly name: string;
  /** A comment written above the group. */
  readonly comment?: string;
  readonly rules: readonly R[];
}

/** One expected alert: its labels (severity included) and its two annotations. */
export interface ExpectedAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
}

/** A promtool test: the alert stays silent at `silentAt` and fires exactly `alerts` at `firesAt`. */
export interface AlertTest {
  readonly alert: string;
  readonly series: readonly (readonly [series: string, values: string])[];
  readonly silentAt: string;
  readonly firesAt: string;
  readonly alerts: readonly ExpectedAlert[];
  /** Sample interval of the series (default 1m); a rule over a [1m] range needs a shorter one. */
  readonly interval?: string;
}

/** A promtool test of a recording rule: at `at`, the series `expr` has exactly these samples (labels, value). */
export interface ExprTest {
  readonly name: string;
  readonly series: AlertTest['series'];
  readonly at: string;
  readonly expr: string;
  readonly samples: readonly (readonly [labels: string, value: number])[];
}

/** Shorthand for a test case, so the test lists read as series, then expectations. */
export function alertTest(
  alert: string,
  series: AlertTest['series'],
  expect: Omit<AlertTest, 'alert' | 'series'>,
): AlertTest {
  return { alert, series, ...expect };
}

function alertRuleYaml(rule: AlertRule): Record<string, unknown> {
  return {
    alert: rule.alert,
    expr: rule.expr,
    ...(rule.for === undefined ? {} : { for: rule.for }),
    labels: { severity: rule.severity, ...rule.labels },
    annotations: { summary: rule.summary, description: rule.description },
  };
}

function render(header: string, body: Record<string, unknown>, comments: (doc: Document) => void): string {
  const doc = new Document(body);
  doc.commentBefore = header;
  comments(doc);
  return doc.toString({ lineWidth: 0 });
}

/** Sets each group's (and each rule's) comment on the `groups` sequence of a rule file. */
function groupComments<R>(
  doc: Document,
  groups: readonly RuleGroup<R>[],
  ruleComment: (rule: R) => string | undefined,
): void {
  const seq = doc.get('groups');
  if (!isSeq(seq)) return;
  groups.forEach((group, i) => {
    const node = seq.items[i];
    if (!isMap(node)) return;
    if (group.comment !== undefined) node.commentBefore = group.comment;
    const rules = node.get('rules');
    if (!isSeq(rules)) return;
    group.rules.forEach((rule, j) => {
      const comment = ruleComment(rule);
      const ruleNode = rules.items[j];
      if (comment !== undefined && isMap(ruleNode)) ruleNode.commentBefore = comment;
    });
  });
}

export function renderRecordingRules(header: string, groups: readonly RuleGroup<RecordingRule>[]): string {
  return render(header, { groups: groups.map((g) => ({ name: g.name, rules: g.rules })) }, (doc) =>
    groupComments(doc, groups, () => undefined),
  );
}

export function renderAlertRules(header: string, groups: readonly RuleGroup<AlertRule>[]): string {
  const body = { groups: groups.map((g) => ({ name: g.name, rules: g.rules.map(alertRuleYaml) })) };
  return render(header, body, (doc) => groupComments(doc, groups, (rule) => rule.comment));
}

export function renderAlertTests(
  header: string,
  ruleFiles: readonly string[],
  tests: readonly AlertTest[],
  exprTests: readonly ExprTest[] = [],
): string {
  const body = {
    rule_files: ruleFiles,
    evaluation_interval: '1m',
    tests: [
      ...exprTests.map((t) => ({
        name: t.name,
        interval: '1m',
        input_series: t.series.map(([series, values]) => ({ series, values })),
        promql_expr_test: [
          {
            expr: t.expr,
            eval_time: t.at,
            exp_samples: t.samples.map(([labels, value]) => ({ labels: `${t.expr}${labels}`, value })),
          },
        ],
      })),
      ...tests.map((t) => ({
        name: t.alert,
        interval: t.interval ?? '1m',
        input_series: t.series.map(([series, values]) => ({ series, values })),
        alert_rule_test: [
          { eval_time: t.silentAt, alertname: t.alert, exp_alerts: [] },
          {
            eval_time: t.firesAt,
            alertname: t.alert,
            exp_alerts: t.alerts.map((a) => ({
              exp_labels: a.labels,
              exp_annotations: { summary: a.summary, description: a.description },
            })),
          },
        ],
      })),
    ],
  };
  return render(header, body, () => undefined);
}
