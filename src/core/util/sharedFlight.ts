import { AbortedError } from '../errors';

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * Runs at most one task per key at a time; concurrent callers for the same key share its result.
 * Each caller may cancel with its own signal: it stops waiting at once, and the task itself is
 * aborted only when every caller waiting on it has cancelled.
 */
export class SharedFlights<T> {
  private readonly flights = new Map<string, Flight<T>>();

  get size(): number {
    return this.flights.size;
  }

  run(key: string, task: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortedError(undefined, { cause: signal.reason }));
    let flight = this.flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const promise = task(controller.signal).finally(() => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
      });
      flight = { promise, controller, waiters: 0 };
      this.flights.set(key, flight);
    }
    return this.wait(flight, signal);
  }

  private wait(flight: Flight<T>, signal?: AbortSignal): Promise<T> {
    flight.waiters++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const leave = () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        flight.waiters--;
      };
      const onAbort = () => {
        leave();
        if (flight.waiters === 0) flight.controller.abort(signal?.reason);
        reject(new AbortedError(undefined, { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          if (settled) return;
          leave();
          resolve(value);
        },
        (err: unknown) => {
          if (settled) return;
          leave();
          reject(err);
        },
      );
    });
  }
}
