/**
 * Keyboard-wedge capture: a hardware scanner types its data as a burst of keystrokes
 * ending in a suffix. Every printable key is held for a few milliseconds; a fast burst
 * that ends in Enter/Tab (or in silence, for a scanner set up without a suffix) is a scan
 * and never reaches the focused field, anything slower is human typing and is replayed
 * into the field it was meant for.
 *
 * Once a suffix is configured it is required: a fast burst that falls silent without it
 * is a fragment (a busy device delivered the rest late). It is held and joined with what
 * follows; if its suffix never comes it is handed over marked `fragment`, for the worker to
 * be told, never to be acted on. A suffix key is always the scan's: a late Enter or Tab
 * never reaches a focused button.
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
/** How long a fragment (a fast burst without its suffix yet) waits for the rest of its scan. */
export const FRAGMENT_HOLD_MS = 600;
/**
 * After a burst ended without its suffix, the suffix key arriving this much later is still
 * that burst's tail, never a press of the focused button (a person's Enter on a handheld
 * this soon after a refused scan is rarer than a scanner's late one).
 */
export const LATE_SUFFIX_MS = 2000;

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
  /**
   * A burst whose configured suffix never came: part of a scan at best. Reported (the
   * worker is told, calibration learns the suffix is missing), never parsed nor acted on.
   */
  fragment?: boolean;
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
  /** The buffer is a fragment waiting for the rest of its scan. */
  private holding = false;
  /** When a burst ended in silence (a fragment, a scan without suffix); -Infinity when none. */
  private machineAt = Number.NEGATIVE_INFINITY;
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
      if (this.buffer.length === 0) {
        // The late suffix of a burst already ended (a fragment refused, a scan ended in
        // silence): it belongs to the scanner, never to the focused control.
        if (this.settings.suffix !== 'none' && e.key === this.settings.suffix && now - this.machineAt <= LATE_SUFFIX_MS) {
          this.machineAt = Number.NEGATIVE_INFINITY;
          return true;
        }
        return false;
      }
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
      this.holding = false;
    } else if (!this.holding) {
      // A held fragment's pause is the busy device's, not the sender's: it does not make the scan human.
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
    if (this.holding) return FRAGMENT_HOLD_MS;
    return this.prefixSeen ? PREFIX_GAP_MS : this.settings.maxGapMs;
  }

  private isScan(): boolean {
    if (this.prefixSeen || this.holding) return true;
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

  /**
   * Silence after a burst: the scan of a scanner without suffix, a fragment to hold (or,
   * held too long, to report), or held human keys.
   */
  private finish(ended: 'timeout'): void {
    if (this.buffer.length === 0) return;
    if (!this.isScan()) {
      this.flushHuman();
      return;
    }
    if (this.settings.suffix === 'none') {
      this.emit(ended);
      return;
    }
    if (!this.holding) {
      // Fast and long but no suffix yet: the rest may still be on its way.
      this.holding = true;
      this.arm();
      return;
    }
    // Calibration learns from it that the suffix is missing; the pipeline never sees it.
    this.emit(ended, true);
  }

  private emit(ended: WedgeScan['ended'], fragment = false): void {
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
      ...(fragment ? { fragment: true } : {}),
    };
    this.buffer = '';
    this.prefixSeen = false;
    this.holding = false;
    // Only a burst that ended without its suffix may still have one on the way.
    this.machineAt = ended === 'timeout' ? this.clock.now() : Number.NEGATIVE_INFINITY;
    this.sinks.scan(scan);
  }

  private flushHuman(): void {
    this.disarm();
    // Control keys are shortcuts, not text: only printable keys go back to the field.
    const text = [...this.buffer].filter((ch) => ch !== '\u0004' && ch !== '\u001d' && ch !== '\u001e').join('');
    this.buffer = '';
    this.prefixSeen = false;
    this.holding = false;
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
