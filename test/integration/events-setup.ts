/**
 * Runs after every integration test: the domain events of each table the test's harnesses
 * created match what the table holds (test/support/events.ts).
 */
import { afterEach } from 'vitest';
import { checkWatchedTables } from '#test/support/events.ts';

afterEach(async () => {
  await checkWatchedTables();
});
