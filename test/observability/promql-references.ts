import { parser } from '@prometheus-io/lezer-promql';

/** What one PromQL expression refers to, as Prometheus's own (lezer) grammar reads it. */
export interface PromqlReferences {
  /** Text around each syntax error; empty when the expression parses. */
  readonly syntaxErrors: string[];
  /** Metric names of its vector selectors (`foo_bucket` as written). */
  readonly metrics: string[];
  /** Label names it matches on or groups by (`{route="..."}`, `by (tenant)`, `on (group)`). */
  readonly labels: string[];
}

/** Grafana's range variables, replaced by a duration so the grammar sees what Prometheus will. */
const GRAFANA_RANGES = /\$__(rate_interval|interval|range)\b/g;

export function promqlReferences(expr: string): PromqlReferences {
  const promql = expr.replace(GRAFANA_RANGES, '5m');
  const syntaxErrors: string[] = [];
  const metrics: string[] = [];
  const labels: string[] = [];
  parser.parse(promql).iterate({
    enter: (node) => {
      const text = promql.slice(node.from, node.to);
      if (node.type.isError) syntaxErrors.push(`near "${promql.slice(Math.max(0, node.from - 20), node.to + 20)}"`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(text);
      if (node.name === 'LabelName') labels.push(text);
    },
  });
  return { syntaxErrors, metrics, labels };
}
