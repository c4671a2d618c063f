import { useState, type FormEvent } from 'react';
import { parseScan } from '../../domain/barcode/parse-scan.ts';
import { useScanRuntime } from './scan-runtime.ts';

/**
 * Typing a torn label by hand: the same parser and checks as a scan (check digits, GS1
 * dates, the bracketed form), with the problem shown before anything is sent on.
 */
export function TypedEntry({ label = 'Type the code' }: { label?: string }) {
  const runtime = useScanRuntime();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = text.trim();
    if (!value) return;
    const check = parseScan(value, { format: 'typed', referenceYear: new Date().getFullYear() });
    if (check.kind === 'unknown') {
      setError(check.problems[0]?.message ?? 'not a code this app knows');
      return;
    }
    setError(null);
    setText('');
    runtime.pipeline.pushTyped(value);
  };
  return (
    <form className="typed-entry" onSubmit={submit} aria-label="Typed entry">
      <label>
        {label}
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error !== null}
          aria-describedby={error ? 'typed-entry-error' : undefined}
        />
      </label>
      <button type="submit">Enter</button>
      {error ? (
        <p id="typed-entry-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
