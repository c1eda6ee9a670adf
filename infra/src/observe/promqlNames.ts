/**
 * The metric names a PromQL expression reads, found by a small tokenizer rather than a full parser:
 * enough to check dashboards and rules against the names the services register (promtool checks
 * that the expressions parse). Grafana variables (`$x`, `${x}`, `[[x]]`) are skipped, so raw
 * dashboard expressions can be read too.
 */

/** Words that are never metric names where they stand: set operators, modifiers, keywords. */
const keywords = new Set([
  'and',
  'or',
  'unless',
  'atan2',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);

/** Aggregation operators: `sum by (x) (…)` puts a clause between the name and its parenthesis. */
const aggregations = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);

/** Keywords followed by a list of label names in parentheses. */
const labelListKeywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const identifierStart = /[A-Za-z_:]/;
const identifierPart = /[A-Za-z0-9_:]/;
const numberPart = /[A-Za-z0-9_.]/;
const literalName = /^[A-Za-z_:][A-Za-z0-9_:]*$/;

/** The metric names `expr` reads, each once, in the order they first appear. */
export function metricNamesIn(expr: string): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  const scanner = new Scanner(expr);
  while (!scanner.done()) {
    const char = scanner.peek();
    if (/\s/.test(char)) {
      scanner.next();
    } else if (char === '#') {
      scanner.skipLine();
    } else if (char === '"' || char === "'" || char === '`') {
      scanner.readString();
    } else if (char === '$' || scanner.startsWith('[[')) {
      scanner.skipGrafanaVariable();
    } else if (char === '{') {
      for (const name of scanner.readMatchers()) add(name);
    } else if (char === '[') {
      scanner.skipPast(']'); // a range or subquery: durations and variables only
    } else if (/[0-9]/.test(char) || (char === '.' && /[0-9]/.test(scanner.peek(1)))) {
      scanner.readNumber();
    } else if (identifierStart.test(char)) {
      const word = scanner.readIdentifier();
      const lower = word.toLowerCase();
      if (labelListKeywords.has(lower)) {
        scanner.skipSpace();
        if (scanner.peek() === '(') scanner.skipPast(')');
      } else if (keywords.has(lower) || aggregations.has(lower)) {
        // an operator, not a selector
      } else if (lower === 'inf' || lower === 'nan') {
        // a number
      } else {
        scanner.skipSpace();
        if (scanner.peek() !== '(') add(word); // a name followed by ( is a function
      }
    } else {
      scanner.next();
    }
  }
  return names;
}

/** The plain metric names of a `__name__` regex: its top-level alternatives without metacharacters. */
function namesOfRegex(regex: string): string[] {
  const anchored = regex.replace(/^\^/, '').replace(/\$$/, '');
  const unwrapped = /^\((?:\?:)?([^()]*)\)$/.exec(anchored)?.[1] ?? anchored;
  return unwrapped.split('|').filter((alternative) => literalName.test(alternative));
}

class Scanner {
  private index = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.index >= this.text.length;
  }
  peek(ahead = 0): string {
    return this.text.charAt(this.index + ahead);
  }
  next(): string {
    const char = this.text.charAt(this.index);
    this.index += 1;
    return char;
  }
  startsWith(prefix: string): boolean {
    return this.text.startsWith(prefix, this.index);
  }
  skipSpace(): void {
    while (!this.done() && /\s/.test(this.peek())) this.index += 1;
  }
  skipLine(): void {
    while (!this.done() && this.peek() !== '\n') this.index += 1;
  }

  /** Up to and including the next `close` outside string literals. */
  skipPast(close: string): void {
    while (!this.done()) {
      const char = this.peek();
      if (char === '"' || char === "'" || char === '`') this.readString();
      else if (this.next() === close) return;
    }
  }

  /** A quoted string (the quotes included in the input, not in the value), escapes decoded simply. */
  readString(): string {
    const quote = this.next();
    let value = '';
    while (!this.done()) {
      const char = this.next();
      if (char === quote) return value;
      if (char === '\\' && quote !== '`') value += this.next();
      else value += char;
    }
    return value;
  }

  readIdentifier(): string {
    const start = this.index;
    while (!this.done() && identifierPart.test(this.peek())) this.index += 1;
    return this.text.slice(start, this.index);
  }

  /** Numbers, durations (`5m`, `1h30m`), hex and exponents (`1e-9`). */
  readNumber(): void {
    while (!this.done()) {
      const char = this.peek();
      const previous = this.text.charAt(this.index - 1);
      if (numberPart.test(char)) this.index += 1;
      else if ((char === '+' || char === '-') && /[eE]/.test(previous)) this.index += 1;
      else return;
    }
  }

  /** `$name`, `${name…}` or `[[name]]`. */
  skipGrafanaVariable(): void {
    if (this.startsWith('[[')) {
      this.skipPast(']');
      this.skipPast(']');
    } else if (this.startsWith('${')) {
      this.skipPast('}');
    } else {
      this.index += 1;
      this.readIdentifier();
    }
  }

  /**
   * A `{…}` block of label matchers: the metric names it selects through `__name__` (`=` or the
   * plain alternatives of `=~`) or a quoted name standing alone (Prometheus 3's `{"name"}`).
   */
  readMatchers(): string[] {
    const names: string[] = [];
    this.next(); // {
    while (!this.done()) {
      this.skipSpace();
      const char = this.peek();
      if (char === '}') {
        this.next();
        return names;
      }
      if (char === ',') {
        this.next();
        continue;
      }
      let label: string;
      if (char === '"' || char === "'" || char === '`') label = this.readString();
      else if (identifierStart.test(char)) label = this.readIdentifier();
      else if (char === '$' || this.startsWith('[[')) {
        this.skipGrafanaVariable();
        continue;
      } else {
        this.next();
        continue;
      }
      this.skipSpace();
      const operator = /^(=~|!~|!=|=)/.exec(this.text.slice(this.index))?.[1];
      if (operator === undefined) {
        names.push(label); // a quoted metric name without an operator
        continue;
      }
      this.index += operator.length;
      this.skipSpace();
      const quote = this.peek();
      if (quote !== '"' && quote !== "'" && quote !== '`') continue;
      const value = this.readString();
      if (label !== '__name__') continue;
      if (operator === '=') names.push(value);
      else if (operator === '=~') names.push(...namesOfRegex(value));
    }
    return names;
  }
}
