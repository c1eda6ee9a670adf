import type { TopicNames } from '@ledger/runtime';
import { ledgerSchemas, type LedgerSchema } from './avroSchemas.ts';

/** The topics whose values this package defines; keys of TopicNames. */
export type LedgerTopicKind = keyof TopicNames;

export interface LedgerSubject {
  readonly kind: LedgerTopicKind;
  readonly topic: string;
  /** Confluent's TopicNameStrategy: `<topic>-value` (docs/contract.md). */
  readonly subject: string;
  readonly schema: LedgerSchema;
}

const schemaOfTopic = {
  commands: ledgerSchemas.LedgerCommand,
  events: ledgerSchemas.LedgerEvent,
  balances: ledgerSchemas.BalanceChanged,
  commandsDlq: ledgerSchemas.DeadLetter,
} as const satisfies Record<LedgerTopicKind, LedgerSchema>;

export const ledgerTopicKinds = Object.keys(schemaOfTopic) as readonly LedgerTopicKind[];

export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

export function ledgerSubject(topics: TopicNames, kind: LedgerTopicKind): LedgerSubject {
  const topic = topics[kind];
  return { kind, topic, subject: valueSubject(topic), schema: schemaOfTopic[kind] };
}

export function ledgerSubjects(topics: TopicNames): readonly LedgerSubject[] {
  return ledgerTopicKinds.map((kind) => ledgerSubject(topics, kind));
}
