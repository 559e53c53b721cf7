/** ownTurn: expensive pieces of work get a turn of the event loop each, with other events between. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownTurn } from '@procwire/core/transport';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
}

test('turns run in order, one per loop iteration: a timer due meanwhile runs between them', async () => {
  const order: string[] = [];
  const turns = [1, 2, 3].map((index) =>
    ownTurn().then(() => {
      order.push(`turn ${index}`);
      if (index === 1) setTimeout(() => order.push('timer'), 0);
      // Longer than the timer's 1 ms: it is due before the next iteration begins.
      busy(5);
    }),
  );
  await Promise.all(turns);
  assert.deepEqual(order, ['turn 1', 'timer', 'turn 2', 'turn 3']);
});

test('plain setImmediate would not split them (what ownTurn is for)', async () => {
  const order: string[] = [];
  await Promise.all(
    [1, 2].map(
      (index) =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            order.push(`immediate ${index}`);
            if (index === 1) setTimeout(() => order.push('timer'), 0);
            busy(5);
            resolve();
          }),
        ),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(order, ['immediate 1', 'immediate 2', 'timer']);
});
