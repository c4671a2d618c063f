/**
 * The validator every schema of src/domain is written with: zod's small build (`zod/mini`), so
 * the handheld never downloads zod's classic build. English messages, as the classic build gives.
 * The server may compose these schemas with classic zod: both share zod's core.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export { z };
/** The issues of a failed parse, as both builds give them. */
export type Issues = { readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string; readonly code?: string }[] };
