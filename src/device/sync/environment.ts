/** What the engine needs to know about its surroundings: network and foreground. */
export type EnvironmentChange = 'online' | 'offline' | 'visible' | 'hidden';

export interface SyncEnvironment {
  isOnline(): boolean;
  isVisible(): boolean;
  /** Calls `listener` on each change; returns the unsubscribe function. */
  subscribe(listener: (change: EnvironmentChange) => void): () => void;
}

/** The page's `online`/`offline` and `visibilitychange` events. */
export function browserEnvironment(win: Window = window): SyncEnvironment {
  return {
    isOnline: () => win.navigator.onLine,
    isVisible: () => win.document.visibilityState === 'visible',
    subscribe(listener) {
      const online = () => listener('online');
      const offline = () => listener('offline');
      const visibility = () => listener(win.document.visibilityState === 'visible' ? 'visible' : 'hidden');
      win.addEventListener('online', online);
      win.addEventListener('offline', offline);
      win.document.addEventListener('visibilitychange', visibility);
      return () => {
        win.removeEventListener('online', online);
        win.removeEventListener('offline', offline);
        win.document.removeEventListener('visibilitychange', visibility);
      };
    },
  };
}

/** An environment switched by hand: Node runs (tests, benchmarks) and simulated devices. */
export class ManualEnvironment implements SyncEnvironment {
  private online: boolean;
  private visible = true;
  private readonly listeners = new Set<(change: EnvironmentChange) => void>();

  constructor(online = true) {
    this.online = online;
  }

  isOnline(): boolean {
    return this.online;
  }

  isVisible(): boolean {
    return this.visible;
  }

  subscribe(listener: (change: EnvironmentChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setOnline(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    for (const l of this.listeners) l(online ? 'online' : 'offline');
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    for (const l of this.listeners) l(visible ? 'visible' : 'hidden');
  }
}
