/**
 * Turns of the event loop for expensive work, one piece per turn. `setImmediate` alone does not
 * split work: every immediate queued before a loop iteration runs in that iteration, so eight
 * large requests that arrived in one socket read would still be decoded back to back. Here the
 * pieces wait in one queue and each gets an iteration of its own, with I/O (other clients) between.
 */

const waiting: Array<() => void> = [];
let scheduled = false;

function runOne(): void {
  scheduled = false;
  const next = waiting.shift();
  if (waiting.length > 0) {
    // Queued from inside an immediate: runs in the next iteration, after that one's I/O.
    scheduled = true;
    setImmediate(runOne);
  }
  next?.();
}

/**
 * Resolves in a turn of the event loop of its own: code that continues after `await ownTurn()`
 * (up to its next await) runs alone in that turn. Turns are given in the order asked for.
 */
export function ownTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(runOne);
    }
  });
}
