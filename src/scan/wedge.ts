/**
 * Keyboard-wedge capture: a hardware scanner types its data as a burst of keystrokes
 * ending in a suffix. Every printable key is held for a few milliseconds; a fast burst
 * that ends in Enter/Tab (or in silence) is a scan and never reaches the focused field,
 * anything slower is human typing and is replayed into the field it was meant for.
 */
import type { Clock } from './clock.ts';

export type WedgeSuffix = 'Enter' | 'Tab' | 'none';

export type WedgeSettings = {
  /** Characters the scanner sends before the data (empty when none). */
  prefix: string;
  /** The key the scanner ends a scan with; `none` ends a scan on silence. */
  suffix: WedgeSuffix;
  /** What the scanner types in place of ASCII 29 (empty when it sends Ctrl+] or nothing). */
  gsSubstitute: string;
  /** Longest gap between two keys of one scan, in ms; humans are slower than this. */
  maxGapMs: number;
  /** Fewer characters than this are never a scan. */
  minLength: number;
  /** The scanner sends GS1 without `]C1`/`]d2` or a leading FNC1: read clean GS1 text as GS1. */
  gs1WithoutIdentifier?: boolean;
};

export const DEFAULT_WEDGE_SETTINGS: WedgeSettings = {
  prefix: '',
  suffix: 'Enter',
  gsSubstitute: '',
  maxGapMs: 40,
  minLength: 4,
};

/** Once a configured prefix was seen the burst is a scan; a slow link may pause this long. */
const PREFIX_GAP_MS = 400;

export type WedgeScan = {
  /** The data without prefix and suffix; Ctrl+] arrives as ASCII 29 (GS), Ctrl+^ as RS, Ctrl+D as EOT. */
  raw: string;
  /** How the scan ended: its suffix key, or silence. */
  ended: 'Enter' | 'Tab' | 'timeout';
  startedAt: number;
  durationMs: number;
  /** The longest gap between two keys of this scan. */
  maxGapMs: number;
  /** Whether the configured prefix was seen. */
  prefixSeen: boolean;
};

/** The part of a keyboard event the capture reads. */
export type KeyLike = { key: string; ctrlKey?: boolean; altKey?: boolean; metaKey?: boolean; isComposing?: boolean };

export type WedgeSinks = {
  scan(scan: WedgeScan): void;
  /** Held keys that turned out to be human typing, to put back where focus is. */
  replay(text: string): void;
};

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock', 'Dead', 'Unidentified']);

/** Validates wedge settings, naming the field that is wrong. */
export function checkWedgeSettings(s: WedgeSettings): WedgeSettings {
  if (typeof s.prefix !== 'string' || s.prefix.length > 8) throw new Error('wedge prefix must be text of at most 8 characters');
  if (!['Enter', 'Tab', 'none'].includes(s.suffix)) throw new Error(`wedge suffix must be Enter, Tab or none, got ${JSON.stringify(s.suffix)}`);
  if (typeof s.gsSubstitute !== 'string' || s.gsSubstitute.length > 8) throw new Error('wedge gsSubstitute must be text of at most 8 characters');
  if (!Number.isFinite(s.maxGapMs) || s.maxGapMs < 5 || s.maxGapMs > 200) throw new Error('wedge maxGapMs must be between 5 and 200');
  if (!Number.isInteger(s.minLength) || s.minLength < 1 || s.minLength > 64) throw new Error('wedge minLength must be a whole number from 1 to 64');
  if (s.gs1WithoutIdentifier !== undefined && typeof s.gs1WithoutIdentifier !== 'boolean') throw new Error('wedge gs1WithoutIdentifier must be true or false');
  return s;
}

/**
 * The wedge state machine, independent of the DOM: feed it keys with `key()`, it calls
 * `sinks.scan` for each scan and `sinks.replay` for held human keystrokes.
 */
export class WedgeCapture {
  private buffer = '';
  private startedAt = 0;
  private lastAt = 0;
  private maxGap = 0;
  private prefixSeen = false;
  private timer: unknown = undefined;
  private readonly settings: WedgeSettings;

  constructor(
    settings: WedgeSettings,
    private readonly clock: Clock,
    private readonly sinks: WedgeSinks,
  ) {
    this.settings = checkWedgeSettings({ ...settings });
  }

  /** Handles one keydown; true when the key was taken (the caller prevents its default). */
  key(e: KeyLike): boolean {
    if (e.isComposing || MODIFIERS.has(e.key)) return false;
    const now = this.clock.now();
    const active = this.buffer.length > 0;
    if (active && now - this.lastAt > this.gapLimit()) this.finish('timeout');
    const ch = this.charOf(e);
    const isEnd = e.key === 'Enter' || e.key === 'Tab';
    if (ch === null && !isEnd) {
      // A shortcut or navigation key: whatever was held is human typing.
      if (this.buffer.length > 0) this.flushHuman();
      return false;
    }
    if (isEnd) {
      if (this.buffer.length === 0) return false;
      if (this.isScan()) {
        this.emit(e.key as 'Enter' | 'Tab');
        return true;
      }
      this.flushHuman();
      return false;
    }
    if (this.buffer.length === 0) {
      this.startedAt = now;
      this.maxGap = 0;
      this.prefixSeen = false;
    } else {
      this.maxGap = Math.max(this.maxGap, now - this.lastAt);
    }
    this.buffer += ch;
    this.lastAt = now;
    if (this.settings.prefix && !this.prefixSeen && this.buffer === this.settings.prefix) this.prefixSeen = true;
    this.arm();
    return true;
  }

  /** Drops held keys and timers; call when detaching. */
  dispose(): void {
    this.disarm();
    if (this.buffer.length > 0) this.flushHuman();
  }

  private charOf(e: KeyLike): string | null {
    // Scanners that can send ASCII 29 type it as Ctrl+] (its control-key spelling).
    if (e.ctrlKey && e.key === ']') return '\u001d';
    if (e.key === '\u001d' || e.key === '\u001e' || e.key === '\u0004') return e.key;
    // RS and EOT frame carrier labels (PDF417, MaxiCode): Ctrl+^ and Ctrl+D. Taken only inside
    // a burst, so a person's Ctrl+D (a browser shortcut) is never swallowed.
    if (e.ctrlKey && this.buffer.length > 0 && (e.key === '^' || e.key === '6')) return '\u001e';
    if (e.ctrlKey && this.buffer.length > 0 && (e.key === 'd' || e.key === 'D')) return '\u0004';
    if (e.ctrlKey || e.altKey || e.metaKey) return null;
    return e.key.length === 1 ? e.key : null;
  }

  private gapLimit(): number {
    return this.prefixSeen ? PREFIX_GAP_MS : this.settings.maxGapMs;
  }

  private isScan(): boolean {
    if (this.prefixSeen) return true;
    return this.buffer.length >= this.settings.minLength && this.maxGap <= this.settings.maxGapMs;
  }

  private arm(): void {
    this.disarm();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.finish('timeout');
    }, this.gapLimit() + 1);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Silence after a burst: a scan without suffix (or a wrong one), or held human keys. */
  private finish(ended: 'timeout'): void {
    if (this.buffer.length === 0) return;
    // With a suffix configured, a burst that ends in silence is still a scan when it was
    // fast and long: calibration reports the missing suffix instead of typing it into a field.
    if (this.isScan()) this.emit(ended);
    else this.flushHuman();
  }

  private emit(ended: WedgeScan['ended']): void {
    this.disarm();
    let raw = this.buffer;
    if (this.prefixSeen) raw = raw.slice(this.settings.prefix.length);
    const scan: WedgeScan = {
      raw,
      ended,
      startedAt: this.startedAt,
      durationMs: this.lastAt - this.startedAt,
      maxGapMs: this.maxGap,
      prefixSeen: this.prefixSeen,
    };
    this.buffer = '';
    this.prefixSeen = false;
    this.sinks.scan(scan);
  }

  private flushHuman(): void {
    this.disarm();
    // Control keys are shortcuts, not text: only printable keys go back to the field.
    const text = [...this.buffer].filter((ch) => ch !== '\u0004' && ch !== '\u001d' && ch !== '\u001e').join('');
    this.buffer = '';
    this.prefixSeen = false;
    if (text) this.sinks.replay(text);
  }
}

/** The part of the DOM the capture needs, so it is testable without a browser. */
export type KeyTarget = {
  addEventListener(type: 'keydown', fn: (e: KeyboardEvent) => void, opts: { capture: boolean }): void;
  removeEventListener(type: 'keydown', fn: (e: KeyboardEvent) => void, opts: { capture: boolean }): void;
};

/**
 * Listens on the document in the capture phase, before any field sees the key, so a
 * barcode never lands in a quantity field. Returns the detach function.
 */
export function attachWedge(target: KeyTarget, capture: WedgeCapture): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (capture.key(e)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  };
  target.addEventListener('keydown', onKey, { capture: true });
  return () => {
    target.removeEventListener('keydown', onKey, { capture: true });
    capture.dispose();
  };
}

/** Puts replayed human keystrokes into the focused text field, as typing would have. */
export function replayIntoFocus(doc: Document): (text: string) => void {
  return (text) => {
    const el = doc.activeElement;
    if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) || el.readOnly || el.disabled) return;
    // execCommand keeps the browser's undo stack and React's change tracking; setRangeText is the fallback.
    const inserted = typeof doc.execCommand === 'function' && doc.execCommand('insertText', false, text);
    if (!inserted) {
      const start = el.selectionStart ?? el.value.length;
      const end = el.selectionEnd ?? el.value.length;
      el.setRangeText(text, start, end, 'end');
      el.dispatchEvent(new InputEvent('input', { bubbles: true, data: text, inputType: 'insertText' }));
    }
  };
}
