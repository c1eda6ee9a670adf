import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatQuantity, quantityOf } from '../src/postgresUnits.ts';

describe('pg_settings units', () => {
  it('given a setting in MB, when read, then it is in bytes', () => {
    assert.deepEqual(quantityOf({ setting: '1024', unit: 'MB' }), {
      dimension: 'bytes',
      value: 1024 ** 3,
    });
  });

  it('given a unit with a count (8kB pages, pre-PG 11 16MB segments), when read, then the count multiplies', () => {
    assert.equal(quantityOf({ setting: '16384', unit: '8kB' })?.value, 128 * 1024 ** 2);
    assert.equal(quantityOf({ setting: '64', unit: '16MB' })?.value, 1024 ** 3);
  });

  it('given time units, when read, then they are in milliseconds', () => {
    assert.deepEqual(quantityOf({ setting: '300', unit: 's' }), {
      dimension: 'ms',
      value: 300_000,
    });
    assert.equal(quantityOf({ setting: '5', unit: 'min' })?.value, 300_000);
    assert.equal(quantityOf({ setting: '200', unit: 'ms' })?.value, 200);
  });

  it('given no unit, an unknown unit or a non-numeric value, when read, then there is no quantity', () => {
    assert.equal(quantityOf({ setting: 'on', unit: null }), undefined);
    assert.equal(quantityOf({ setting: '10', unit: 'furlongs' }), undefined);
    assert.equal(quantityOf({ setting: 'abc', unit: 'MB' }), undefined);
    assert.equal(quantityOf({ setting: '', unit: 'MB' }), undefined);
  });

  it('given quantities, when formatted, then they read as SHOW prints them', () => {
    const bytes = (value: number) => formatQuantity({ dimension: 'bytes', value });
    const ms = (value: number) => formatQuantity({ dimension: 'ms', value });
    assert.equal(bytes(1024 ** 3), '1GB');
    assert.equal(bytes(128 * 1024 ** 2), '128MB');
    assert.equal(bytes(1536 * 1024), '1536kB');
    assert.equal(ms(300_000), '5min');
    assert.equal(ms(90_000), '90s');
    assert.equal(ms(0), '0');
    assert.equal(ms(-1), '-1');
  });
});
