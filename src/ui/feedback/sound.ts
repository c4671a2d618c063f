/**
 * A distinct tone (WebAudio oscillator) and vibration per feedback kind, so a worker knows
 * the outcome of a scan without looking: one high beep accepted, a low buzz wrong, two soft
 * clicks duplicate, a falling pair offline, a rising triple for the supervisor.
 */
import type { Tone } from '../../domain/workflows/common.ts';

type Note = { hz: number; ms: number; wave: OscillatorType };

export const TONE_NOTES: Record<Tone, Note[]> = {
  accepted: [{ hz: 1320, ms: 90, wave: 'sine' }],
  wrong: [{ hz: 180, ms: 350, wave: 'square' }],
  duplicate: [
    { hz: 700, ms: 40, wave: 'triangle' },
    { hz: 700, ms: 40, wave: 'triangle' },
  ],
  offline: [
    { hz: 880, ms: 110, wave: 'sine' },
    { hz: 587, ms: 160, wave: 'sine' },
  ],
  supervisor: [
    { hz: 523, ms: 120, wave: 'sawtooth' },
    { hz: 659, ms: 120, wave: 'sawtooth' },
    { hz: 784, ms: 200, wave: 'sawtooth' },
  ],
};

/** `navigator.vibrate` patterns (ms on, off, on...). */
export const TONE_VIBRATION: Record<Tone, number[]> = {
  accepted: [60],
  wrong: [300, 100, 300],
  duplicate: [30, 60, 30],
  offline: [120, 80, 40],
  supervisor: [100, 60, 100, 60, 300],
};

const GAP_MS = 60;
let audio: AudioContext | undefined;

function context(): AudioContext | undefined {
  if (typeof AudioContext === 'undefined') return undefined;
  audio ??= new AudioContext();
  if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
  return audio;
}

/** Plays the tone and vibration of a feedback kind; silent where the device has neither. */
export function playFeedback(tone: Tone): void {
  try {
    const ctx = context();
    if (ctx) {
      let t = ctx.currentTime;
      for (const note of TONE_NOTES[tone]) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = note.wave;
        osc.frequency.value = note.hz;
        gain.gain.setValueAtTime(0.25, t);
        gain.gain.exponentialRampToValueAtTime(0.001, t + note.ms / 1000);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + note.ms / 1000);
        t += (note.ms + GAP_MS) / 1000;
      }
    }
  } catch {
    // Sound is a help, never a reason for a scan to fail.
  }
  if (typeof navigator !== 'undefined' && typeof navigator.vibrate === 'function') navigator.vibrate(TONE_VIBRATION[tone]);
}
