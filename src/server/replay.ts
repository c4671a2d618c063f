/**
 * The proof that the stock table is the ledger's: replay every applied event from the opening
 * balances on (the pure fold in `src/domain/replay.ts`) and compare with the table.
 */
import type { Database } from './db.ts';
import { figuresOf, replayLedger, stockDifferences } from '../domain/replay.ts';
import type { Buckets } from '../domain/stock.ts';
import { ledgerFacts, stockTable } from './storage/index.ts';

/** The stock rows where the table and a replay of the ledger disagree (empty when they agree). */
export async function replayMismatches(db: Database): Promise<{ key: string; table: Buckets; replayed: Buckets }[]> {
  const { facts, table } = await db.transaction(async (tx) => {
    // One snapshot for both reads, so a push committing in between cannot make them differ.
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    return { facts: await ledgerFacts(tx), table: await stockTable(tx) };
  });
  const replayed = replayLedger(facts);
  return stockDifferences(figuresOf(table), replayed.stock).map((d) => ({ key: d.key.replace('\u0000', ' '), table: d.a, replayed: d.b }));
}
