import type { Knex } from 'knex';

/** One schema change: `up` applies it, `down` undoes it (tests and local rollbacks only). */
export interface Migration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}
