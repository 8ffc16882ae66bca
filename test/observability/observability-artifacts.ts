import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../tools/infra/project-root';

const CHART = join(projectRoot(), 'k8s', 'service-call-scheduler');
export const DASHBOARD_FILE = join(CHART, 'dashboards', 'service-call-scheduler.json');
export const RULES_FILE = join(CHART, 'alerts', 'alerts.yaml');

export interface DashboardTarget {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: { readonly uid?: string };
}
export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly DashboardTarget[];
}
export interface Dashboard {
  readonly uid?: string;
  readonly title?: string;
  readonly schemaVersion: number;
  readonly templating?: {
    readonly list: readonly { readonly type: string; readonly name: string; readonly query?: unknown }[];
  };
  readonly panels: readonly DashboardPanel[];
}
export interface AlertRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr?: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}
export interface RuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[];
}

export const readDashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8'));
export const readRules = (): RuleFile => parse(readFileSync(RULES_FILE, 'utf8'));

/** Every PromQL expression of both files, with where it sits (for failure messages). */
export function allExpressions(dashboard: Dashboard, rules: RuleFile): { origin: string; expr: string }[] {
  const fromPanels = dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ origin: `panel "${p.title}" ${t.refId}`, expr: t.expr ?? '' })),
  );
  const fromRules = rules.groups.flatMap((g) =>
    g.rules.map((r) => ({ origin: `alert ${r.alert ?? r.record}`, expr: r.expr ?? '' })),
  );
  return [...fromPanels, ...fromRules];
}
