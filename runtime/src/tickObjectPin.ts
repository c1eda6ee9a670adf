import { createHook } from 'node:async_hooks';

/**
 * Keeps one of `process.nextTick`'s tick objects alive for the life of the process, so that a
 * full garbage collection cannot slow every later `nextTick` down for good.
 *
 * Why (measured on Node 20 with `perf` and V8's feedback dump; root README "Cached reads vs bare"):
 * `nextTick` builds each tick object with an object literal whose first keys are symbols
 * (`{ [async_id_symbol]: …, [trigger_async_id_symbol]: …, callback, args }`), so V8 defines each
 * key through a feedback slot that remembers the object's shape. Tick objects live for one turn
 * of the event loop; when a full, memory-reducing GC runs while none is alive (an idle service:
 * V8's memory reducer does this on its own), it frees those shapes, the next tick object gets new
 * ones, and the feedback goes megamorphic, which it never leaves. From then on every tick object
 * is built through V8's runtime: `nextTick` went from ~0.5% to 5.5% of query-api's CPU on its
 * own, ~8% with the runtime calls, and cached reads from ~0.85× to ~0.55× of the bare server
 * (one process, same minute, only the pin dropped). Node's HTTP and stream internals call
 * `nextTick` several times per request, so every HTTP service here pays it.
 *
 * One live tick object keeps its shape chain alive (a shape holds its parent), so the feedback
 * stays monomorphic across any number of full GCs. The object is caught from the async_hooks
 * `init` callback of one `nextTick`; the hook is enabled for that call only.
 */
let pinned: object | undefined;

/** Pins a tick object once per process; true when one is held (also when already pinned). */
export function pinTickObjectShape(): boolean {
  if (pinned !== undefined) return true;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject' && pinned === undefined) pinned = resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(ignore);
  } finally {
    hook.disable();
  }
  return pinned !== undefined;
}

/** The pinned tick object, for the test that checks it is one. */
export function pinnedTickObject(): object | undefined {
  return pinned;
}

function ignore(): void {}
