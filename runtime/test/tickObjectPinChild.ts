// Child process of tickObjectPin.unit.test.ts (run with --expose-gc --allow-natives-syntax).
import { createHook } from 'node:async_hooks';
import { pinTickObjectShape, pinnedTickObject } from '../src/tickObjectPin.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
// Parsed at run time, under --allow-natives-syntax (TypeScript cannot parse V8's % syntax).
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
  a: object,
  b: object,
) => boolean;

const pinned = pinTickObjectShape();
const pin = pinnedTickObject();
await new Promise((resolve) => setImmediate(resolve)); // the pinning tick has run; none queued
gc();
gc();
let fresh: object | undefined;
const hook = createHook({
  init(_id, type, _trigger, resource) {
    if (type === 'TickObject') fresh = resource;
  },
});
hook.enable();
process.nextTick(() => undefined);
hook.disable();

process.stdout.write(
  JSON.stringify({
    pinned,
    symbolKeys: pin === undefined ? 0 : Object.getOwnPropertySymbols(pin).length,
    sameShapeAfterGc: pin !== undefined && fresh !== undefined && haveSameMap(pin, fresh),
  }),
);
