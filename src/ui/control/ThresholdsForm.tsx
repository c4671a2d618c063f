/** The board's thresholds and the alert limits: everyone in the control room reads them, an admin changes them. */
import { useEffect, useState, type FormEvent } from 'react';
import type { SettingsAnswer } from '../../domain/control/protocol.ts';
import type { ControlSettings } from '../../domain/control/settings.ts';
import { useSignedIn } from '../session/store.ts';
import { useControlCall } from './use-control.ts';

type Path = [keyof ControlSettings, string, ('amber' | 'red')?];

/** Every number of the settings, with where it lives. */
function fields(s: ControlSettings): { path: Path; value: number }[] {
  const out: { path: Path; value: number }[] = [];
  for (const group of Object.keys(s) as (keyof ControlSettings)[])
    for (const [name, v] of Object.entries(s[group] as Record<string, unknown>)) {
      if (typeof v === 'number') out.push({ path: [group, name], value: v });
      else if (v && typeof v === 'object')
        for (const level of ['amber', 'red'] as const) out.push({ path: [group, name, level], value: (v as Record<string, number>)[level]! });
    }
  return out;
}

function setAt(s: ControlSettings, [group, name, level]: Path, value: number): ControlSettings {
  const next = structuredClone(s) as unknown as Record<string, Record<string, unknown>>;
  if (level) (next[group]![name] as Record<string, number>)[level] = value;
  else next[group]![name] = value;
  return next as unknown as ControlSettings;
}

export function ThresholdsForm() {
  const call = useControlCall();
  const { user } = useSignedIn();
  const admin = user.roles.includes('admin');
  const [answer, setAnswer] = useState<SettingsAnswer>();
  const [draft, setDraft] = useState<ControlSettings>();
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    call<SettingsAnswer>('GET', '/settings').then(
      (a) => (setAnswer(a), setDraft(a.settings)),
      (err: unknown) => setMessage(err instanceof Error ? err.message : String(err)),
    );
  }, [call]);
  if (!answer || !draft) return message ? <p role="alert">{message}</p> : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const a = await call<SettingsAnswer>('PUT', '/settings', draft);
      setAnswer(a);
      setDraft(a.settings);
      setMessage('Thresholds saved.');
    } catch (err) {
      setMessage(`Not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return (
    <form aria-label="Thresholds" onSubmit={(e) => void submit(e)}>
      <h2>Thresholds</h2>
      <p>{answer.updatedBy ? `Last changed by ${answer.updatedBy} at ${new Date(answer.updatedAt ?? '').toLocaleString()}.` : 'The defaults.'}</p>
      <div className="thresholds">
        {fields(draft).map(({ path, value }) => {
          const label = path.filter(Boolean).join(' ');
          return (
            <label key={label}>
              {label}
              <input
                type="number"
                min={0}
                step={1}
                inputMode="numeric"
                value={value}
                disabled={!admin}
                onChange={(e) => setDraft(setAt(draft, path, Number(e.target.value)))}
              />
            </label>
          );
        })}
      </div>
      {admin ? <button type="submit">Save thresholds</button> : <p>Only an admin changes the thresholds.</p>}
      {message ? <p role="status">{message}</p> : null}
    </form>
  );
}
