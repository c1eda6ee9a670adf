import { existsSync } from 'node:fs';
import {
  apiKeyFileKeysMax,
  apiKeyNameLengthMax,
  apiKeysReloadIntervalMs,
  apiScopes,
  generateApiKey,
  hashApiKey,
  isApiScope,
  readApiKeyFile,
  writeApiKeyFile,
  type ApiKeyRecord,
  type ApiScope,
} from '@ledger/runtime';
import { idPattern } from '@ledger/schemas';

/**
 * `npm run keys -- create|list|revoke`: the API key file every service reads
 * (LEDGER_API_KEYS_FILE; runtime's apiKeyFile.ts has the format). `create` prints the new key
 * once, on stdout alone (so `KEY=$(npm run -s keys -- create …)` works), and stores only its
 * SHA-256; `revoke` marks a key revoked, and running services stop accepting it within
 * apiKeysReloadIntervalMs, when they next look at the file. Two commands run at the same moment
 * both rewrite the whole file: run them one at a time.
 */
export const keysUsage = `usage: npm run keys -- <command> [--file path]
  create --scopes s1,s2 [--account-prefix p] [--name text]
             a new key: printed once, only its hash is stored
             scopes: ${apiScopes.join(', ')}
             --account-prefix: every account id the key touches must start with it
  list       every key: id, name, scopes, account prefix, created, revoked
  revoke <id>
             the key stops working within ${apiKeysReloadIntervalMs / 1_000} s on running services
  --file defaults to LEDGER_API_KEYS_FILE`;

export interface KeysCommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly now: () => Date;
}

/** Runs one command; returns the exit status (0 done, 1 failed, 2 usage). */
export function runKeysCommand(argv: readonly string[], io: KeysCommandIo): number {
  try {
    const parsed = parseArgs(argv);
    const file = parsed.options.get('file') ?? io.env.LEDGER_API_KEYS_FILE;
    if (file === undefined || file === '') {
      throw new UsageError('name the key file with --file or LEDGER_API_KEYS_FILE');
    }
    switch (parsed.command) {
      case 'create':
        return create(file, parsed, io);
      case 'list':
        return list(file, parsed, io);
      case 'revoke':
        return revoke(file, parsed, io);
      case undefined:
      default:
        io.err(keysUsage);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n${keysUsage}`);
      return 2;
    }
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

interface ParsedArgs {
  readonly command: string | undefined;
  readonly positional: readonly string[];
  readonly options: ReadonlyMap<string, string>;
}

const optionNames = new Set(['file', 'scopes', 'account-prefix', 'name']);

function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    const value = rest[index + 1];
    if (!optionNames.has(name)) throw new UsageError(`unknown option ${arg}`);
    if (value === undefined || value.startsWith('--')) {
      throw new UsageError(`${arg} needs a value`);
    }
    if (options.has(name)) throw new UsageError(`${arg} given twice`);
    options.set(name, value);
    index += 1;
  }
  return { command, positional, options };
}

function expectOnly(parsed: ParsedArgs, allowed: readonly string[], positional: number): void {
  for (const name of parsed.options.keys()) {
    if (name !== 'file' && !allowed.includes(name)) {
      throw new UsageError(`${parsed.command ?? ''} takes no --${name}`);
    }
  }
  if (parsed.positional.length !== positional) {
    throw new UsageError(`${parsed.command ?? ''} takes ${positional} argument(s)`);
  }
}

/** A command line that does not say what to do: its message and the usage, exit status 2. */
class UsageError extends Error {}

/** The file's keys; none while it does not exist yet. */
function readKeys(file: string): ApiKeyRecord[] {
  return existsSync(file) ? readApiKeyFile(file) : [];
}

function create(file: string, parsed: ParsedArgs, io: KeysCommandIo): number {
  expectOnly(parsed, ['scopes', 'account-prefix', 'name'], 0);
  const scopes = parseScopes(parsed.options.get('scopes'));
  const accountPrefix = parsed.options.get('account-prefix');
  // A prefix is the start of an account id: itself a valid id (@ledger/schemas' idPattern).
  if (accountPrefix !== undefined && !idPattern.test(accountPrefix)) {
    throw new UsageError(`--account-prefix must match ${idPattern.source}`);
  }
  const name = parsed.options.get('name');
  if (name !== undefined && !/^[\x20-\x7e]+$/.test(name)) {
    throw new UsageError('--name must be printable ASCII');
  }
  if (name !== undefined && name.length > apiKeyNameLengthMax) {
    throw new UsageError(`--name is longer than ${apiKeyNameLengthMax} characters`);
  }
  const records = readKeys(file);
  if (records.length >= apiKeyFileKeysMax) {
    io.err(`${file} holds ${records.length} keys already, at most ${apiKeyFileKeysMax}`);
    return 1;
  }
  const { id, secret } = generateApiKey();
  writeApiKeyFile(file, [
    ...records,
    {
      id,
      name,
      hash: hashApiKey(secret),
      scopes,
      accountPrefix,
      createdAt: io.now().toISOString(),
      revokedAt: undefined,
    },
  ]);
  io.out(secret);
  io.err(
    `created key ${id} (${scopes.join(', ')}${accountPrefix === undefined ? '' : `; accounts ${accountPrefix}*`}) in ${file}: ` +
      'the key above is shown this once, only its hash is stored',
  );
  return 0;
}

function parseScopes(raw: string | undefined): ApiScope[] {
  if (raw === undefined) throw new UsageError('create needs --scopes');
  const scopes = raw.split(',').map((scope) => scope.trim());
  for (const scope of scopes) {
    if (!isApiScope(scope)) throw new UsageError(`unknown scope "${scope}"`);
  }
  return [...new Set(scopes as ApiScope[])];
}

function list(file: string, parsed: ParsedArgs, io: KeysCommandIo): number {
  expectOnly(parsed, [], 0);
  const records = readKeys(file);
  io.out(['id', 'status', 'scopes', 'account prefix', 'created', 'name'].join('\t'));
  for (const record of records) io.out(listLine(record));
  return 0;
}

/** Never the hash: `list` output is for people and tickets. */
function listLine(record: ApiKeyRecord): string {
  return [
    record.id,
    record.revokedAt === undefined ? 'active' : `revoked ${record.revokedAt}`,
    record.scopes.join(','),
    record.accountPrefix ?? '-',
    record.createdAt,
    record.name ?? '',
  ].join('\t');
}

function revoke(file: string, parsed: ParsedArgs, io: KeysCommandIo): number {
  expectOnly(parsed, [], 1);
  const id = parsed.positional[0] ?? '';
  const records = readKeys(file);
  const record = records.find((candidate) => candidate.id === id);
  if (record === undefined) {
    io.err(`no key ${id} in ${file}`);
    return 1;
  }
  if (record.revokedAt !== undefined) {
    io.err(`key ${id} was revoked already, at ${record.revokedAt}`);
    return 0;
  }
  const revokedAt = io.now().toISOString();
  writeApiKeyFile(
    file,
    records.map((candidate) => (candidate.id === id ? { ...candidate, revokedAt } : candidate)),
  );
  io.err(
    `revoked key ${id}: running services refuse it within ${apiKeysReloadIntervalMs / 1_000} s`,
  );
  return 0;
}
