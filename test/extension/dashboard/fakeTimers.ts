import type { Timers } from '../../../src/extension/dashboard/feed';

/** A clock and timers the test moves by hand: nothing runs until `advance` says so. */
export function fakeTime(start = 1_000_000) {
  let now = start;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    set: (fn, ms) => {
      const id = next++;
      pending.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clear: (id) => void pending.delete(id as number),
  };
  return {
    timers,
    now: () => now,
    pending: () => pending.size,
    /** Moves the clock, running every timer that falls due, in order. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...pending].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}
