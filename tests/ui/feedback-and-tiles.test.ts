import { describe, expect, it } from 'vitest';
import { TONES } from '../../src/domain/workflows/common.ts';
import type { Role } from '../../src/domain/roles.ts';
import { TONE_NOTES, TONE_VIBRATION } from '../../src/ui/feedback/sound.ts';
import { TILES, tilesFor as homeTiles } from '../../src/ui/home/tiles.ts';
import { UI_EN } from '../../src/ui/i18n/ui-en.ts';

describe('feedback', () => {
  it('every kind has its own tone and its own vibration', () => {
    const tones = TONES.map((t) => JSON.stringify(TONE_NOTES[t]));
    const vibrations = TONES.map((t) => JSON.stringify(TONE_VIBRATION[t]));
    expect(new Set(tones).size).toBe(TONES.length);
    expect(new Set(vibrations).size).toBe(TONES.length);
    for (const t of TONES) expect(TONE_NOTES[t].length).toBeGreaterThan(0);
  });
});

describe('home tiles', () => {
  // The home screen's own filter, in the words it shows.
  const tilesFor = (roles: Role[]) => homeTiles(roles).map((t) => UI_EN[t.label]);
  it('show the roles of the user only; a supervisor sees all', () => {
    expect(tilesFor(['picker', 'counter'])).toEqual(['Pick', 'Blind counts']);
    expect(tilesFor(['receiver', 'returns', 'counter'])).toEqual(['Blind counts', 'Receiving', 'QC release', 'Returns']);
    expect(tilesFor(['returns'])).toEqual(['Returns']);
    expect(tilesFor(['supervisor'])).toEqual(TILES.map((t) => UI_EN[t.label]));
  });
});
