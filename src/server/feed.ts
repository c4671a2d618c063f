/**
 * The live change feed. A push announces its changes with NOTIFY inside its transaction, so
 * they go out only if it commits, and every API process on the database hears them (LISTEN);
 * PGlite delivers the same notifications in-process.
 */
import type { Database } from './db.ts';
import type { Change } from './storage/index.ts';

export type ChangeListener = (change: Change) => void;

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private unlisten: (() => Promise<void>) | undefined;

  private constructor() {}

  static async open(db: Database, channel: string): Promise<ChangeFeed> {
    const feed = new ChangeFeed();
    feed.unlisten = await db.listen(channel, (payload) => feed.publish(payload));
    return feed;
  }

  private publish(payload: string): void {
    let changes: Change[];
    try {
      changes = JSON.parse(payload) as Change[];
    } catch {
      return;
    }
    for (const change of changes) for (const l of this.listeners) l(change);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.unlisten?.();
  }
}
