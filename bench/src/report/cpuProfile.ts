import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where a service spends its CPU, from the `.cpuprofile` files node writes with `--cpu-prof`:
 * self time by package (a node_modules package, a workspace, node's internals, GC, idle) and the
 * hottest functions. Enough to say what limits throughput without opening a profiler.
 */
export interface ProfileSummary {
  readonly service: string;
  readonly sampledMs: number;
  readonly idleMs: number;
  readonly byPackage: readonly (readonly [string, number])[];
  readonly topFunctions: readonly (readonly [string, number])[];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const topCount = 12;
/** A profile busier than this is a service's main thread, not tsx's loader thread. */
const helperThreadBusyMsMax = 2_000;

/** Summaries of every profile under `directory/<service>/`. */
export async function summarizeProfiles(directory: string): Promise<ProfileSummary[]> {
  const summaries: ProfileSummary[] = [];
  const services = await readdir(directory).catch(() => [] as string[]);
  for (const service of services.sort()) {
    const files = (await readdir(join(directory, service)).catch(() => [] as string[])).filter(
      (f) => f.endsWith('.cpuprofile'),
    );
    for (const file of files) {
      const profile = JSON.parse(
        await readFile(join(directory, service, file), 'utf8'),
      ) as CpuProfile;
      summaries.push(summarizeProfile(service, profile));
    }
  }
  return summaries;
}

export function summarizeProfile(service: string, profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) =>
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)),
  );
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let sampledUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    sampledUs += us;
    if (frame.functionName === '(idle)') idleUs += us;
    const owner = packageOf(frame.url, frame.functionName);
    packages.set(owner, (packages.get(owner) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const top = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topCount)
      .map(([name, us]) => [name, us / 1_000] as const);
  return {
    service,
    sampledMs: sampledUs / 1_000,
    idleMs: idleUs / 1_000,
    byPackage: top(packages),
    topFunctions: top(functions),
  };
}

/** node_modules/<pkg> (scoped too), a workspace folder, node internals, or a V8 pseudo-frame. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1] !== undefined) return modules[1];
  if (url.startsWith('node:')) return 'node (internals)';
  const workspace =
    /\/(command-api|ledger-processor|projector|query-api|runtime|schemas|infra|bench)\//.exec(url);
  return workspace?.[1] ?? shortUrl(url);
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/work\/main\//, '');
}

export function profilesSection(summaries: readonly ProfileSummary[]): string {
  // Each service also profiles tsx's module-loader thread, idle after start-up: leave those out.
  const main = summaries.filter(
    (summary) => summary.sampledMs - summary.idleMs >= helperThreadBusyMsMax,
  );
  if (main.length === 0) return '## CPU profiles\n\nNo profiles were written.';
  const parts = [
    '## CPU profiles (self time, `--cpu-prof` on the services this run started)',
    `Busy = sampled − idle over the whole run, seeding and drains included; ${summaries.length - main.length} helper-thread profiles (tsx loader, < 2 s busy) left out.`,
  ];
  for (const summary of main) {
    const busy = summary.sampledMs - summary.idleMs;
    parts.push(
      `### ${summary.service}: ${(busy / 1_000).toFixed(1)} s busy of ${(summary.sampledMs / 1_000).toFixed(1)} s sampled`,
      '| package | self ms | share of busy |\n|---|---|---|\n' +
        summary.byPackage
          .filter(([name]) => name !== '(idle)')
          .map(
            ([name, ms]) =>
              `| ${name} | ${ms.toFixed(0)} | ${busy > 0 ? ((100 * ms) / busy).toFixed(1) : '0'}% |`,
          )
          .join('\n'),
      '| hottest functions | self ms |\n|---|---|\n' +
        summary.topFunctions
          .filter(([name]) => !name.startsWith('(idle)'))
          .map(([name, ms]) => `| \`${name}\` | ${ms.toFixed(0)} |`)
          .join('\n'),
    );
  }
  return parts.join('\n\n');
}
