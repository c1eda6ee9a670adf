// What the packages' integration tests (and bench's probes) use to run against the real stack:
// a private slice of it per test, and polling instead of sleeps.
export {
  createLedgerTestEnvironment,
  deleteSubjects,
  deleteTopic,
  deleteTopics,
  testTopicPartitions,
  waitUntil,
  type LedgerTestEnvironment,
} from './ledgerTestEnvironment.ts';
