import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AuditTotals, ChainHeads } from './auditState.ts';
import { canonicalJson } from '@ledger/schemas';
import { digestOfPartitions, type PartitionDigest } from './logDigest.ts';

/** /2 added `chains`: the hash chains' heads a later audit anchors to. */
export const summaryFormat = 'ledger-audit-summary/2';

/** What a run proved, over which bytes (see README.md, "The summary"). */
export interface AuditSummary {
  readonly format: typeof summaryFormat;
  readonly topic: string;
  readonly mode: 'bounded' | 'follow';
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Messages read, identical duplicates included. */
  readonly messagesRead: number;
  readonly totals: AuditTotals;
  readonly chains: ChainHeads;
  readonly partitions: readonly PartitionDigest[];
  /** digestOfPartitions(partitions): the SHA-256 over the events checked. */
  readonly eventsSha256: string;
}

export interface SummarySignature {
  readonly algorithm: 'Ed25519';
  /** First 16 hex digits of SHA-256 over the public key (SPKI DER): which key signed. */
  readonly keyId: string;
  /** Base64 Ed25519 signature over the UTF-8 bytes of canonicalJson(summary). */
  readonly value: string;
}

export interface SignedSummary {
  readonly summary: AuditSummary;
  /** Null when no signing key was configured (the run warns). */
  readonly signature: SummarySignature | null;
}

export const signedBytes = (summary: AuditSummary): Buffer =>
  Buffer.from(canonicalJson(summary), 'utf8');

export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function signSummary(
  summary: AuditSummary,
  privateKey: KeyObject | undefined,
): SignedSummary {
  if (privateKey === undefined) return { summary, signature: null };
  return {
    summary,
    signature: {
      algorithm: 'Ed25519',
      keyId: keyIdOf(privateKey),
      value: sign(null, signedBytes(summary), privateKey).toString('base64'),
    },
  };
}

/** A PEM Ed25519 private key; a file others may read is refused (it signs audits). */
export function readSigningKey(file: string): KeyObject {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it, it signs audits`,
    );
  }
  const key = createPrivateKey(readFileSync(file));
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${file} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  }
  return key;
}

/**
 * Writes a new Ed25519 private key (PKCS#8 PEM, mode 600, never over an existing file) and its
 * public key next to it (`<file>.pub`, SPKI PEM) for whoever verifies summaries.
 */
export function writeNewKey(file: string): { publicKeyFile: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyFile = `${file}.pub`;
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
    flag: 'wx',
  });
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' });
  return { publicKeyFile, keyId: keyIdOf(publicKey) };
}

/**
 * Checks a signed summary against a public key the verifier trusts (never one the summary
 * brings): the signature, and that the summary's own numbers hang together (the digest of its
 * partition lines, zero balance sums). Returns the problems found; empty means it verifies.
 */
export function verifySummary(signed: SignedSummary, publicKeyPem: string | Buffer): string[] {
  const problems: string[] = [];
  // Parsed from a file: nothing is trusted to have the declared shape until checked.
  const { summary, signature } = signed as Partial<SignedSummary>;
  const format: unknown = (summary as Partial<AuditSummary> | undefined)?.format;
  if (summary === undefined || signature === undefined || format !== summaryFormat) {
    return [`not a ${summaryFormat} summary (format ${String(format)})`];
  }
  const publicKey = createPublicKey(publicKeyPem);
  if (publicKey.asymmetricKeyType !== 'ed25519') problems.push('the public key is not Ed25519');
  else if (signature === null) problems.push('the summary is unsigned');
  else if ((signature.algorithm as string) !== 'Ed25519') {
    problems.push(`signature algorithm ${String(signature.algorithm)} is not Ed25519`);
  } else {
    if (signature.keyId !== keyIdOf(publicKey)) {
      problems.push(`signed by key ${signature.keyId}, not by this key (${keyIdOf(publicKey)})`);
    }
    const valid = verify(
      null,
      signedBytes(summary),
      publicKey,
      Buffer.from(signature.value, 'base64'),
    );
    if (!valid) problems.push('the signature does not match the summary');
  }
  if (digestOfPartitions(summary.partitions) !== summary.eventsSha256) {
    problems.push('eventsSha256 is not the digest of the partition lines');
  }
  for (const [currency, sum] of Object.entries(summary.totals.finalBalanceSumByCurrency)) {
    if (sum !== '0') problems.push(`final ${currency} balances sum to ${sum}, not 0`);
  }
  return problems;
}
