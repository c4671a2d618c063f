/**
 * The warehouse's own labels (bins, totes, badges) recognised by configurable patterns.
 * Patterns are stored as text so device settings can hold them.
 */

export type LabelPatterns = {
  /** Bin and other location labels, e.g. `A-01-01`, `DOCK-1`, `RET-1`. */
  bin: string;
  /** Tote labels, e.g. `T-0001`. */
  tote: string;
  /** User badges, e.g. `U:picker`; the first capture group is the user name. */
  badge: string;
};

export const DEFAULT_LABEL_PATTERNS: LabelPatterns = {
  bin: '^(?:[A-Z]{1,3}-\\d{2}-\\d{2}(?:-\\d{1,2})?|DOCK-\\d{1,3}|RET-\\d{1,3})$',
  tote: '^T-\\d{4,6}$',
  badge: '^U:([A-Za-z0-9._-]{1,32})$',
};

export type CompiledLabels = { bin: RegExp; tote: RegExp; badge: RegExp };

/**
 * Compiles label patterns; throws an Error naming the field when one is not a valid
 * regular expression, so a bad setting is refused before it is saved.
 */
export function compileLabelPatterns(p: LabelPatterns): CompiledLabels {
  const one = (field: keyof LabelPatterns): RegExp => {
    const src = p[field];
    if (typeof src !== 'string' || src.length === 0) throw new Error(`label pattern ${field} is empty`);
    try {
      return new RegExp(src);
    } catch (err) {
      throw new Error(`label pattern ${field} is not a valid regular expression: ${(err as Error).message}`, { cause: err });
    }
  };
  return { bin: one('bin'), tote: one('tote'), badge: one('badge') };
}

export const DEFAULT_LABELS: CompiledLabels = compileLabelPatterns(DEFAULT_LABEL_PATTERNS);
