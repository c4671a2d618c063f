import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { parseScan } from '../../domain/barcode/parse-scan.ts';
import { fromScanResult, type WorkflowScan } from '../../domain/workflows/common.ts';

export type ScanHandler = (scan: WorkflowScan, raw: string) => void;

/** Parses text from the scanner or the keyboard into what the workflows take. */
export function scanFromText(text: string): WorkflowScan {
  return fromScanResult(parseScan(text, { format: 'typed', referenceYear: new Date().getFullYear() }));
}

/**
 * The persistent scan bar at the bottom of every scanning screen: typed entry (a keyboard
 * wedge scanner types here too) and, when given, the camera button.
 */
export function ScanBar({ onScan, camera }: { onScan: ScanHandler; camera?: ReactNode }) {
  const [text, setText] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const raw = text.trim();
    if (!raw) return;
    setText('');
    onScan(scanFromText(raw), raw);
    input.current?.focus();
  };
  return (
    <div className="scanbar">
      <form onSubmit={submit} aria-label="Scan">
        <input
          ref={input}
          aria-label="Scan or type a code"
          placeholder="Scan or type a code"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          enterKeyHint="go"
          value={text}
          autoFocus
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" aria-label="Enter code">
          OK
        </button>
      </form>
      {camera}
    </div>
  );
}
