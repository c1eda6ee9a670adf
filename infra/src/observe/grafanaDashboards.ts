import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** infra/grafana: the dashboards (JSON, as Grafana exports them) and their provisioning files. */
export const grafanaDir = fileURLToPath(new URL('../../grafana/', import.meta.url));
export const grafanaDashboardsDir = join(grafanaDir, 'dashboards');

/** One PromQL expression of a dashboard: a panel's query or a template variable's. */
export interface DashboardExpression {
  /** The dashboard file's name, e.g. `ledger-overview.json`. */
  readonly file: string;
  /** The dashboard's title. */
  readonly dashboard: string;
  /** `panel`: a panel target's `expr`; `variable`: the PromQL inside a template variable's query. */
  readonly source: 'panel' | 'variable';
  /** The panel's title (with its row's, `row / panel`), or the variable's name. */
  readonly title: string;
  /** The target's refId (panels only). */
  readonly refId?: string;
  /** The expression as written, Grafana variables (`$service`, `$__rate_interval`) included. */
  readonly expr: string;
}

interface Target {
  readonly expr?: unknown;
  readonly refId?: unknown;
  readonly hide?: unknown;
}
interface Panel {
  readonly type?: unknown;
  readonly title?: unknown;
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
}
interface Variable {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly query?: unknown;
  readonly definition?: unknown;
}
export interface Dashboard {
  readonly title?: unknown;
  readonly uid?: unknown;
  readonly panels?: readonly Panel[];
  readonly templating?: { readonly list?: readonly Variable[] };
}

/** The dashboard files of `dir` (every `*.json`), by file name, parsed. */
export function loadDashboards(dir = grafanaDashboardsDir): Map<string, Dashboard> {
  const dashboards = new Map<string, Dashboard>();
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    dashboards.set(file, JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard);
  }
  return dashboards;
}

/**
 * Every PromQL expression of the dashboards in `dir`: each panel target's `expr` (panels inside
 * rows, collapsed or not, included) and the PromQL of each query variable (`label_values(sel,
 * label)` gives `sel`, `query_result(expr)` gives `expr`; `label_names()` and `metrics(re)` read
 * no series and give none).
 */
export function dashboardExpressions(dir = grafanaDashboardsDir): DashboardExpression[] {
  const found: DashboardExpression[] = [];
  for (const [file, dashboard] of loadDashboards(dir)) {
    const title = typeof dashboard.title === 'string' ? dashboard.title : file;
    const visit = (panels: readonly Panel[] | undefined, row: string | undefined) => {
      for (const panel of panels ?? []) {
        const panelTitle = typeof panel.title === 'string' ? panel.title : '(untitled)';
        const fullTitle = row === undefined ? panelTitle : `${row} / ${panelTitle}`;
        for (const target of panel.targets ?? []) {
          if (typeof target.expr !== 'string' || target.expr.trim() === '') continue;
          found.push({
            file,
            dashboard: title,
            source: 'panel',
            title: fullTitle,
            ...(typeof target.refId === 'string' ? { refId: target.refId } : {}),
            expr: target.expr,
          });
        }
        visit(panel.panels, panel.type === 'row' ? panelTitle : fullTitle);
      }
    };
    visit(dashboard.panels, undefined);
    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type !== 'query') continue;
      const query = variableQueryText(variable);
      const expr = query === undefined ? undefined : promqlOfVariableQuery(query);
      if (expr === undefined) continue;
      found.push({
        file,
        dashboard: title,
        source: 'variable',
        title: typeof variable.name === 'string' ? variable.name : '(unnamed)',
        expr,
      });
    }
  }
  return found;
}

/** A query variable's query: a string (older dashboards) or `{ query }` (the query editor's). */
function variableQueryText(variable: Variable): string | undefined {
  const { query } = variable;
  if (typeof query === 'string') return query;
  if (typeof query === 'object' && query !== null && 'query' in query) {
    const text = (query as { query?: unknown }).query;
    if (typeof text === 'string') return text;
  }
  return typeof variable.definition === 'string' ? variable.definition : undefined;
}

/**
 * The PromQL inside a Prometheus data source's variable query, or undefined when it reads no
 * series (`label_names()`, `metrics(regex)`, `label_values(label)`).
 */
export function promqlOfVariableQuery(query: string): string | undefined {
  const trimmed = query.trim();
  const call = /^(label_values|query_result|label_names|metrics)\s*\(([\s\S]*)\)$/.exec(trimmed);
  if (call === null) return trimmed === '' ? undefined : trimmed;
  const [, fn, inner = ''] = call;
  if (fn === 'query_result') return inner.trim();
  if (fn !== 'label_values') return undefined;
  const lastComma = lastTopLevelComma(inner);
  return lastComma === -1 ? undefined : inner.slice(0, lastComma).trim();
}

function lastTopLevelComma(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  let last = -1;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (quote !== undefined) {
      if (char === '\\') index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'" || char === '`') quote = char;
    else if (char === '(' || char === '{' || char === '[') depth += 1;
    else if (char === ')' || char === '}' || char === ']') depth -= 1;
    else if (char === ',' && depth === 0) last = index;
  }
  return last;
}

/** Grafana's interval variables, as the durations they stand for when checking an expression. */
const intervalVariables: Record<string, string> = {
  __rate_interval: '5m',
  __interval: '1m',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
  __interval_ms: '60000',
};

/**
 * `expr` with Grafana's variables replaced, so Prometheus (or promtool) can read it: interval
 * variables by durations, the others by `values[name]`, else by `fallback` (a valid label value
 * or regex, as dashboards use variables inside matchers).
 */
export function substituteGrafanaVariables(
  expr: string,
  values: Readonly<Record<string, string>> = {},
  fallback = 'x',
): string {
  const valueOf = (name: string) => values[name] ?? intervalVariables[name] ?? fallback;
  return expr
    .replace(/\$\{([A-Za-z0-9_]+)(?::[^}]*)?\}/g, (_, name: string) => valueOf(name))
    .replace(/\[\[([A-Za-z0-9_]+)(?::[^\]]*)?\]\]/g, (_, name: string) => valueOf(name))
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => valueOf(name));
}
